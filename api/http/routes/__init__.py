"""One router per role; ``public`` holds what anyone may read (health, who am I, the problem catalogue)."""
