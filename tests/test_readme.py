"""The README's code runs as written."""

import pathlib
import re
import warnings

README = pathlib.Path(__file__).parents[1] / "README.md"


def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 3
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the digits fit may stop at max_iter
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    accuracy, record, coverage, tabular = capsys.readouterr().out.splitlines()
    assert float(accuracy) > 0.9
    assert "'epoch':" in record and "'val_score':" in record
    assert abs(float(coverage) - 0.9) < 0.05  # a 0.9-quantile model covers about 90%
    tabular_accuracy, best_epoch = tabular.split()
    assert float(tabular_accuracy) > 0.9 and 1 <= int(best_epoch) <= 64


def test_readme_keeps_the_quick_start_commands():
    text = README.read_text()
    assert 'pip install . && python -m skbp' in text
    assert 'pip install -e ".[test]" && python -m pytest' in text
