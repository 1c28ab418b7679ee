"""The callback list: lost calls merged by number, call-back attempts and their outcomes."""
