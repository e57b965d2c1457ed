"""The oracle: turns loan applications into signed decisions written back to the chain.

Not built yet (see the issues); the package exists so the distribution's layout is the
architecture's from the start.
"""
