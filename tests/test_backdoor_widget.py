"""Backdoor calculator: the pure model driven by set_value, and the ipywidgets view without a kernel."""
import subprocess
import sys

import pytest

from lt_causal.causal.backdoor import backdoor_adjustment, load_example
from lt_causal.causal.calculator import BackdoorCalculatorModel
from lt_causal.views.backdoor_calculator import backdoor_calculator, error_html, result_html


def expected(data):
    return backdoor_adjustment(data, treatment="units", outcome="outcomes", adjustment="label",
                               population="population")


def covid_strata():
    return load_example("covid").rename(columns={"age": "label", "infected": "units",
                                                 "deaths": "outcomes"})


def test_model_module_does_not_import_widgets():
    code = ("import sys, lt_causal.causal.calculator as w; w.BackdoorCalculatorModel(); "
            "bad = [m for m in ('ipywidgets', 'plotly') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_default_model_is_the_covid_example():
    model = BackdoorCalculatorModel()
    assert model.error is None
    assert round(model.result.observational, 4) == 0.0643
    assert round(model.result.adjusted, 3) == 0.043
    assert len(model) == 4 and list(model.data["label"]) == ["0-14", "15-49", "50-64", ">=65"]
    assert "0.0643" in repr(model)


def test_set_value_recomputes():
    model = BackdoorCalculatorModel()
    model.set_value(3, "outcomes", 40)
    model.set_value(1, "population", 500_000_000)
    data = covid_strata()
    data.loc[3, "outcomes"] = 40
    data.loc[1, "population"] = 500_000_000
    want = expected(data)
    assert model.result.observational == pytest.approx(want.observational, rel=1e-12)
    assert model.result.adjusted == pytest.approx(want.adjusted, rel=1e-12)
    assert model.result.adjusted != pytest.approx(expected(covid_strata()).adjusted)


def test_invalid_value_is_stored_as_error_then_cleared():
    model = BackdoorCalculatorModel()
    model.set_value(3, "outcomes", -3)
    assert model.result is None
    assert model.error == "stratum '>=65': outcomes = -3 is negative; counts must be >= 0"
    assert "lt-backdoor-observational\">P(Y | X) = –" in result_html(model)
    assert "outcomes = -3" in error_html(model)
    assert model.figure_data()["adjusted"] == [None] * 4
    model.set_value(3, "outcomes", 200)
    assert model.error == "stratum '>=65': outcomes = 200 exceeds units = 153"
    model.set_value(3, "outcomes", 32)
    assert model.error is None and error_html(model) == ""
    assert round(model.result.observational, 4) == 0.0643


@pytest.mark.parametrize("row,column,value,message", [
    (0, "units", 0, "stratum '0-14': units = 0 but population = 221322621 > 0"),
    (2, "label", "15-49", "stratum '15-49' appears more than once in column 'label'"),
    (1, "units", None, "stratum '15-49': units is missing (NaN)"),
])
def test_other_errors(row, column, value, message):
    model = BackdoorCalculatorModel()
    model.set_value(row, column, value)
    assert model.error.startswith(message)


def test_all_populations_zero():
    model = BackdoorCalculatorModel()
    for i in range(len(model)):
        model.set_value(i, "population", 0)
    assert "sum to 0" in model.error


def test_bad_row_or_column_raises():
    model = BackdoorCalculatorModel()
    with pytest.raises(ValueError, match="unknown column 'deaths'"):
        model.set_value(0, "deaths", 1)
    with pytest.raises(ValueError, match="row 4 out of range"):
        model.set_value(4, "units", 1)
    with pytest.raises(ValueError, match="lacks column"):
        BackdoorCalculatorModel(load_example("covid"))


def test_figure_data_are_the_contributions():
    model = BackdoorCalculatorModel()
    fd = model.figure_data()
    t = model.result.table
    assert fd["strata"] == ["0-14", "15-49", "50-64", ">=65"]
    assert fd["observational"] == pytest.approx(list(t["observational"]))
    assert sum(fd["adjusted"]) == pytest.approx(model.result.adjusted)


def test_observers_are_called():
    model = BackdoorCalculatorModel()
    seen = []
    model.observe(lambda m: seen.append(m.error))
    model.set_value(0, "units", -1)
    model.set_value(0, "units", 9)
    assert seen[0].startswith("stratum '0-14'") and seen[1] is None


def _cells(view, css):
    grid = view.children[0]
    return [w for w in grid.children if css in w._dom_classes]


def test_view_updates_on_cell_edit():
    view = backdoor_calculator()
    model = view.calculator_model
    results = [w for w in view.children if "lt-backdoor-results" in w._dom_classes][0]
    error = [w for w in view.children if "lt-backdoor-error" in w._dom_classes][0]
    assert f"P(Y | do(X)) = {model.result.adjusted:.4f}" in results.value
    cell = _cells(view, "lt-backdoor-outcomes")[3]
    assert "lt-backdoor-cell" in cell._dom_classes and cell.tooltip == "row 3: outcomes"
    before = results.value
    cell.value = 40
    data = covid_strata()
    data.loc[3, "outcomes"] = 40
    want = expected(data)
    assert results.value != before
    assert f'lt-backdoor-observational">P(Y | X) = {want.observational:.4f}' in results.value
    assert f'lt-backdoor-adjusted">P(Y | do(X)) = {want.adjusted:.4f}' in results.value
    assert list(view.figure.data[1].y) == pytest.approx(list(want.table["adjusted"]))
    assert _cells(view, "lt-backdoor-rate")[3].value == f"{40 / 153:.4f}"

    cell.value = -1
    assert "stratum &#x27;&gt;=65&#x27;: outcomes = -1 is negative" in error.value
    assert "P(Y | do(X)) = –" in results.value
    cell.value = 32
    assert error.value == ""


def test_view_label_edit_renames_bars():
    view = backdoor_calculator()
    _cells(view, "lt-backdoor-label")[0].value = "children"
    assert list(view.figure.data[0].x)[0] == "children"
    assert view.calculator_model.result.table.index[0] == "children"


# ---------------------------------------------------------------- the stratum variable from a causal graph

COVID_EDGES = [("age", "infected"), ("age", "deaths"), ("infected", "deaths")]   # age confounds infection and death


def test_model_finds_the_stratum_variable_in_the_graph():
    found = BackdoorCalculatorModel(graph=COVID_EDGES)
    assert found.adjustment == "age" and found.graph == COVID_EDGES      # the backdoor criterion: {age}
    assert found.result.adjusted == BackdoorCalculatorModel().result.adjusted
    assert BackdoorCalculatorModel(graph=COVID_EDGES, adjustment="age").adjustment == "age"
    assert BackdoorCalculatorModel().adjustment is None and BackdoorCalculatorModel().graph is None


def test_model_refuses_a_stratum_variable_the_graph_forbids():
    with_mediator = COVID_EDGES + [("infected", "pneumonia"), ("pneumonia", "deaths")]
    with pytest.raises(ValueError, match=r"^adjusting for \{'pneumonia'\} blocks the causal path "
                                         r"infected → pneumonia → deaths"):
        BackdoorCalculatorModel(graph=with_mediator, adjustment="pneumonia")
    with pytest.raises(ValueError, match=r"leaves the backdoor path X ← Z → Y open"):
        BackdoorCalculatorModel(graph=[("Z", "X"), ("Z", "Y"), ("X", "Y"), ("W", "Y")], treatment="X",
                                outcome="Y", adjustment="W")


def test_view_names_the_variable_the_graph_gave():
    from lt_causal.views.backdoor_calculator import graph_html

    view = backdoor_calculator(graph=COVID_EDGES)
    shown = [w.value for w in view.children if "lt-backdoor-graph" in getattr(w, "value", "")]
    assert shown == [graph_html(view.calculator_model)] and "found from the causal graph: age" in shown[0]
    assert _cells(view, "lt-backdoor-label")                       # the grid stays the first child
    assert graph_html(BackdoorCalculatorModel()) == ""
