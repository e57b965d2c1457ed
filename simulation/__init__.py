"""The simulated world: a synthetic Chongqing credit pilot, for the demo, the benchmarks and the tests.

Nothing here is part of the platform. It stands where real departments, enterprises and loan books
would: it makes the rows departments would send, the outcomes nobody sees until later, and labelled
bad rows, and it turns them into a training table for the credit model. It sits above ``ledger``
and ``scoring`` (it uses their schemas and features) and nothing below imports it — an
import-linter contract in ``pyproject.toml`` keeps it so, and keeps the oracle from ever reading it.

Modules, one noun each:

- ``economy``   the hidden economy: industries, sizes, each enterprise's monthly business health
- ``signals``   what each department sees of that health (sales, tax, headcount, power, courts …)
- ``people``    names, legal representatives, phones and addresses (the personal fields)
- ``pilot``     :func:`~simulation.pilot.generate`: enterprises, monthly records, arrivals, defaults
- ``defects``   labelled corruptions of pilot rows (bad check character, negative value, …)
- ``training``  the pilot as the credit model's training table, as of each outcome's observation date

Errors::

    PilotError    the pilot was asked for something it cannot make (``simulation.errors``)
"""
