"""Scheduling limits and thresholds, each defined once: the scheduler, importers, services, stats SQL
and pages import them from here (docs/scheduling.md, "Rules and limits")."""

MAX_INTERVAL_DAYS = 36_500  # ~100 years: stored intervals and due dates never go further (date.max is near)
MATURE_DAYS = 21  # a card with an interval of 21 days or more is mature, young below (as Anki counts)
START_EASINESS_X100 = 250  # SM-2's easiness of a new card, 2.5, in the hundredths the store keeps
MIN_EASINESS_X100 = 130  # SM-2's easiness floor, 1.3
QUALITY_MIN, QUALITY_MAX = 0, 5  # the SM-2 grade scale
PASSING_QUALITY = 3  # SM-2: a grade of 3 or more is a correct recall; below it the card starts over


def check_quality(quality: object) -> int:
    """``quality`` itself if it is an int from QUALITY_MIN to QUALITY_MAX (bool refused); else ValueError."""
    if isinstance(quality, bool) or not isinstance(quality, int) or not QUALITY_MIN <= quality <= QUALITY_MAX:
        raise ValueError(f"quality must be a whole number from {QUALITY_MIN} to {QUALITY_MAX}, got {quality!r}")
    return quality

# What an answer in the review log was, in the order the store numbers them (append only: the
# position is the stored code): the review queue, a quiz, study ahead, another custom study session.
ANSWER_KINDS = ("review", "quiz", "ahead", "custom")
