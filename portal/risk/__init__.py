"""Risk model (DESIGN §6): the indicator catalogue now; scoring and signals come next."""
