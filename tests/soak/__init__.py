"""The fault soak (`make soak`): see tests/soak/run.py."""
