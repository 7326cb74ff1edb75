"""The repository layer: the one front door to settings, states, versions and caches."""
