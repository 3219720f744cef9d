"""The documents a customer and a tax inspector read: invoices, credit notes, contract sheets and monthly statements,
laid out with reportlab's platypus in one embedded Unicode font (Latin and Arabic), French with Arabic labels for
the clients who prefer Arabic. Every renderer is deterministic: the same inputs give the same bytes."""
