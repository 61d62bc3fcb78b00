"""Pure quiz core: distractors, answer matching, outcome-to-quality mapping, readiness, card picking.

No Flask, no database; callers pass randomness (a seed) and times in.
"""
