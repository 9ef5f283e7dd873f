from tests.dashboards.page_audit import page_problems


def test_a_field_without_a_label_and_a_clickable_div_are_problems():
    html = '<input name="q"><div onclick="go()">Go</div><a href="/" tabindex="-1">x</a>'
    problems = page_problems(html)
    assert "unlabelled <input name='q'>" in problems
    assert "<div onclick>" in problems
    assert len(problems) == 3


def test_every_way_of_labelling_a_field_counts():
    html = (
        '<label for="a">A</label><input id="a" name="a">'
        '<label>B <select name="b"></select></label>'
        '<textarea name="c" aria-label="C"></textarea>'
        '<input type="hidden" name="csrf"><input type="submit" value="Save">'
    )
    assert page_problems(html) == []
