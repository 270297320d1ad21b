"""Use cases the screens and the command line call; each owns its transaction."""
