from django.utils import translation

from register.audit import ACTION_LABELS, action_label, change_lines


def test_change_lines_use_field_labels_and_readable_values():
    with translation.override("nl"):
        lines = change_lines(
            {
                "name": ["Leeftijd", "Leeftijd bij opname"],
                "requirements": [{}, {"AZ": "plus"}],
                "confidential": True,
            }
        )
    assert lines == [
        "Naam: Leeftijd → Leeftijd bij opname",
        "Eisen: — → AZ: plus",
        "Vertrouwelijk: ja",
    ]


def test_every_audited_action_has_a_label():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    actions = set()
    for path in [
        *root.glob("register/*.py"),
        *root.glob("reviews/*.py"),
        *root.glob("providers/*.py"),
    ]:
        actions |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
    assert actions, "found no audited actions"
    assert actions - set(ACTION_LABELS) == set()
    assert action_label("unknown.action") == "unknown.action"
