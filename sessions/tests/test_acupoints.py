import pytest
from django.core.exceptions import ValidationError

from sessions.acupoints import MERIDIANS, parse_point_codes
from sessions.models import Acupoint


@pytest.mark.django_db
def test_catalogue_holds_the_361_who_points():
    assert Acupoint.objects.count() == 361 == sum(count for _, count in MERIDIANS.values())
    assert Acupoint.objects.get(code="LI4").pinyin == "Hegu"
    assert Acupoint.objects.get(code="ST36").meridian == "Stomach"
    assert Acupoint.objects.filter(code__startswith="BL").count() == 67


@pytest.mark.django_db
def test_traditional_pregnancy_cautions_are_marked():
    cautions = set(Acupoint.objects.filter(pregnancy_caution=True).values_list("code", flat=True))
    assert {"LI4", "SP6", "BL60", "BL67", "GB21"} <= cautions
    assert "ST36" not in cautions


def test_parser_accepts_case_spaces_separators_and_aliases():
    assert parse_point_codes("li 4, sj5;LV3") == ["LI4", "TE5", "LR3"]
    assert parse_point_codes("li4 sp6 sj5") == ["LI4", "SP6", "TE5"]
    assert parse_point_codes("du20 ren 6, Lv-3") == ["GV20", "CV6", "LR3"]


def test_parser_keeps_typed_order_and_drops_repeats():
    assert parse_point_codes("ST36, LI4, st 36") == ["ST36", "LI4"]
    assert parse_point_codes("  ") == []


def test_parser_names_every_unknown_code():
    with pytest.raises(ValidationError) as error:
        parse_point_codes("LI4, XX9, LU12, foo, SP6")
    message = error.value.messages[0]
    assert message == "Unknown acupoint codes: XX9, LU12, foo."
    assert error.value.error_list[0].code == "unknown_acupoint"


def test_parser_knows_the_last_point_of_each_meridian():
    assert parse_point_codes("BL67 KI27 GB44 LR14 GV28 CV24") == [
        "BL67",
        "KI27",
        "GB44",
        "LR14",
        "GV28",
        "CV24",
    ]
    with pytest.raises(ValidationError, match="Unknown acupoint code: BL68"):
        parse_point_codes("BL68")
