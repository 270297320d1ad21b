"""One rule for a patient's name and a course's agent, wherever they are shown or printed."""

from pmsdesk.domain.naming import agent_label, patient_display_name


def test_family_name_in_capitals_without_changing_its_spelling():
    assert patient_display_name("Weiß", "Anna") == "WEIß, Anna"
    assert patient_display_name("Öztürk", "Elif") == "ÖZTÜRK, Elif"
    assert patient_display_name("Παπαδοπούλου", "Ελένη") == "ΠΑΠΑΔΟΠΟΎΛΟΥ, Ελένη"


def test_scripts_without_capitals_are_left_as_they_are():
    assert patient_display_name("כהן", "דנה") == "כהן, דנה"
    assert patient_display_name("حداد", "ليلى") == "حداد, ليلى"


def test_an_agent_is_named_by_its_label_or_the_products_own_name():
    assert agent_label("it_methotrexate", None) == "Intrathecal methotrexate"
    assert agent_label("other", "Trial cells") == "Trial cells"
    assert agent_label("other", None) == "Other (named)"
