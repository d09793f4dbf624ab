"""Questions a new user asks, each answered by the first command they would type.

Every question comes from the two source documents in ``shared/sources`` (the provinces
article and the Jinan article). Each names the single command a person would try first and
what its output must contain: a figure with its precision, or a name. The output is read as
a person reads it (text, no colour, 100 columns, runs of spaces and line breaks as one
space), so a figure that only the JSON holds, or that needs a second command, fails here.
"""

from __future__ import annotations

import shlex

import pytest

from conftest import flat, run

# (question, the first command, what its output must contain)
QUESTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("What is Guangdong's 2026 target?", "province guangdong", ("¥300 billion", "by 2026")),
    ("Which figures are projections?", "facts --status projection", ("¥2.5–2.8 trillion",)),
    (
        "Compare the provinces' targets",
        "compare province guangdong shandong zhejiang",
        ("¥300 billion", "35%", "¥100 billion"),
    ),
    ("Which targets are set for 2026?", "facts --status target --year 2026", ("¥300 billion",)),
    ("What is known for 2025?", "facts --year 2025", ("24 launches", "¥13.38 billion")),
    (
        "How big will China's commercial space industry be in 2025?",
        "country china",
        ("¥2.5–2.8 trillion ($345.5–387 billion)", "by 2025"),
    ),
    ("How fast is the industry growing?", "country china", ("exceeding 20%",)),
    ("How many commercial space enterprises are there?", "country china", ("more than 600",)),
    (
        "How many provinces are planning for commercial space?",
        "country china",
        ("roughly half", "over 20 provinces"),
    ),
    ("How many firms are in Beijing's development area?", "province beijing", ("over 210",)),
    ("How many times did Yizhuang Rockets launch in 2025?", "province beijing", ("24 launches",)),
    ("What share of launches were Yizhuang Rockets?", "site yizhuang", ("over 90%",)),
    ("What is Zhejiang's industrial target?", "province zhejiang", ("35%",)),
    (
        "What is each of Shandong's emerging industries worth?",
        "province shandong",
        ("¥100 billion ($13.8 billion)",),
    ),
    (
        "How many satellites has Shandong's spaceport launched?",
        "province shandong",
        ("Oriental Aerospace Port", "137 satellites"),
    ),
    ("How many satellites has Yantai sent up?", "city yantai", ("137 satellites",)),
    (
        "How many satellites has the Oriental Aerospace Port launched?",
        "site oriental aerospace port",
        ("137 satellites", "89 satellites"),
    ),
    ("How many sea launches from Haiyang?", "site haiyang", ("15 launches",)),
    (
        "Which sites are in Shandong?",
        "list site --in shandong",
        (
            "Oriental Aerospace Port",
            "Rizhao launch site",
            "Weihai launch site",
            "Lianli Island launch site",
            "Jinan satellite assembly base",
            "Changqing testing base",
        ),
    ),
    (
        "Which companies does Henan want to back?",
        "province henan",
        ("Space Pioneer", "Tianzhang Satellite"),
    ),
    ("Who does Tianjin work with?", "province tianjin", ("Airbus", "CASC", "AVIC")),
    (
        "Who is Zhu Kuaile?",
        "person zhu kuaile",
        ("National Research New Economy Institute",),
    ),
    (
        "Who is Yang Shaoxian?",
        "person yang shaoxian",
        ("China Center for Information Industry Development",),
    ),
    ("What is GalaxySpace working on?", "company galaxyspace", ("satellite-to-mobile",)),
    ("What is Hongqing Technology's strategy?", "company hongqing", ("three-integrated",)),
    (
        "What does the provinces article cover?",
        "sources provinces-race-2026",
        ("roughly half", "Guangdong (province)", "Oriental Aerospace Port (site)"),
    ),
    (
        "How many rockets a year will Tianbing's Jinan base build?",
        "company tianbing",
        ("up to 25 rockets/year",),
    ),
    ("How big is the Jinan heavy-lift rocket base?", "company tianbing", ("50,000 m²",)),
    ("When was Tianbing founded?", "company tianbing", ("2019",)),
    ("Who runs Tianbing?", "company tianbing", ("Kang Yonglai",)),
    ("How big is Jigang's rocket base?", "company jigang", ("more than 50,000 m²",)),
    (
        "How much did Jinan's aerospace information industry earn in H1 2025?",
        "city jinan",
        ("¥13.38 billion", "H1 2025"),
    ),
    ("How many aerospace enterprises does Jinan have?", "city jinan", ("148 enterprises",)),
    (
        "How many satellites a year will Jinan's satellite base make?",
        "city jinan",
        ("100 satellites/year",),
    ),
    ("How big is Jinan's industry fund?", "city jinan", ("¥30.8 billion",)),
    ("How many constellation satellites does Jinan plan?", "city jinan", ("368 satellites",)),
    (
        "How many members does the aerospace information alliance have?",
        "organization aerospace information industry alliance",
        ("159",),
    ),
    ("What thrust can Jinan's test platform take?", "site changqing", ("600 ton",)),
    (
        "What share of orbital demand can Shandong's launch cluster meet?",
        "province shandong",
        ("70%",),
    ),
    ("What has Space Pioneer done so far?", "timeline space pioneer", ("Tianlong-2", "2023")),
    (
        "Where do sources disagree?",
        "facts --disputed",
        ("founding year", "Space Pioneer"),
    ),
    ("Where does the sea launching happen?", "search sea launch", ("Oriental Aerospace Port",)),
]


def test_the_question_set_is_large_enough() -> None:
    assert len(QUESTIONS) >= 30
    assert len({q for q, _, _ in QUESTIONS}) == len(QUESTIONS)


@pytest.mark.parametrize("question, command, expected", QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_the_first_command_answers(question: str, command: str, expected: tuple[str, ...]) -> None:
    res = run(*shlex.split(command), "--color", "never", env={"COLUMNS": "100"})
    assert res.exit_code == 0, f"{question}: cspace {command} exited {res.exit_code}: {res.stderr}"
    shown = flat(res.stdout)
    for figure in expected:
        assert figure in shown, f"{question}: 'cspace {command}' does not show {figure!r}"
