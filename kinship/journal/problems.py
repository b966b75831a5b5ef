"""The distress thermometer's problem list, adapted for bone tumor recovery (pure data, no models).

A check-in stores the codes a member ticked; labels and groups live only here, so wording can be
improved without touching stored check-ins.
"""

PRACTICAL = "practical"
FAMILY = "family"
EMOTIONAL = "emotional"
SPIRITUAL = "spiritual"
PHYSICAL = "physical"

# (group code, group label, ((item code, item label), ...))
GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        PRACTICAL,
        "Practical concerns",
        (
            ("childcare", "Child care"),
            ("housing", "Housing"),
            ("money", "Money or insurance"),
            ("transport", "Getting to appointments"),
            ("work_school", "Work or school"),
            ("treatment_decisions", "Treatment decisions"),
        ),
    ),
    (
        FAMILY,
        "Family concerns",
        (
            ("children", "Dealing with children"),
            ("partner", "Dealing with a partner"),
            ("fertility", "Ability to have children"),
            ("family_health", "Family health issues"),
        ),
    ),
    (
        EMOTIONAL,
        "Emotional concerns",
        (
            ("worry", "Worry"),
            ("fears", "Fears"),
            ("sadness", "Sadness"),
            ("depression", "Depression"),
            ("nervousness", "Nervousness"),
            ("loss_of_interest", "Loss of interest in usual activities"),
            ("body_image", "How I feel about my body"),
        ),
    ),
    (
        SPIRITUAL,
        "Spiritual or religious concerns",
        (("spiritual", "Spiritual or religious concerns"), ("meaning", "Finding meaning")),
    ),
    (
        PHYSICAL,
        "Physical concerns",
        (
            ("pain", "Pain"),
            ("getting_around", "Getting around"),
            ("phantom_limb", "Phantom limb sensations"),
            ("prosthesis_fit", "Prosthesis fit or skin problems"),
            ("fatigue", "Fatigue"),
            ("sleep", "Sleep"),
            ("eating", "Eating"),
            ("nausea", "Nausea"),
            ("bathing_dressing", "Bathing or dressing"),
            ("memory", "Memory or concentration"),
            ("tingling", "Tingling in hands or feet"),
            ("appearance", "Appearance"),
        ),
    ),
)

GROUP_LABELS: dict[str, str] = {code: label for code, label, _ in GROUPS}
ITEM_LABELS: dict[str, str] = {item: label for _, _, items in GROUPS for item, label in items}
ITEM_GROUP: dict[str, str] = {item: group for group, _, items in GROUPS for item, _ in items}
ALL_ITEMS: frozenset[str] = frozenset(ITEM_LABELS)
