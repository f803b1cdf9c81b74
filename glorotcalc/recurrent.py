"""torch's recurrent layout: the weight parameters of ``RNN``/``LSTM``/``GRU`` and their cells.

Pure (``math`` only). Facts from torch 2.13 ``torch/nn/modules/rnn.py``:

- ``RNNBase.__init__``: gate_size = 4H (LSTM), 3H (GRU), H (RNN_TANH, RNN_RELU). For layer k and
  direction d, ``weight_ih_l{k}`` is ``(gate_size, input_size)`` for k = 0, else
  ``(gate_size, real_hidden_size·num_directions)``; ``weight_hh_l{k}`` is
  ``(gate_size, real_hidden_size)`` with real_hidden_size = proj_size or H; ``weight_hr_l{k}``
  (LSTM with proj_size > 0) is ``(proj_size, H)``; ``bias_ih_l{k}``/``bias_hh_l{k}`` are
  ``(gate_size,)`` when bias=True; direction 1 has the suffix ``_reverse``. Registration order per
  layer and direction: weight_ih, weight_hh, bias_ih, bias_hh, weight_hr.
- ``RNNCellBase.__init__`` (``RNNCell``, ``LSTMCell``, ``GRUCell``): ``weight_ih``
  ``(gates·H, input_size)``, ``weight_hh`` ``(gates·H, H)``, ``bias_ih``, ``bias_hh``.
- ``reset_parameters`` of both: every parameter ``init.uniform_(w, -1/√H, 1/√H)``, so
  Var = 1/(3H) whatever the weight's shape: not a fan-based scheme.
- ``RNNBase.extra_repr`` omits ``nonlinearity``: ``print(nn.RNN(10, 20, nonlinearity='relu'))``
  is ``RNN(10, 20)``; ``RNNCellBase.extra_repr`` prints ``nonlinearity=relu``.

>>> [(w.parameter, w.rows, w.cols) for w in recurrent_weights("lstm", 10, 20, proj_size=5)]
[('weight_ih_l0', 80, 10), ('weight_hh_l0', 80, 5), ('weight_hr_l0', 5, 20)]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# cell → (number of gates, torch module, Keras layer, Flax cell)
CELLS = {
    "lstm": (4, "LSTM", "LSTM", "LSTMCell"),
    "gru": (3, "GRU", "GRU", "GRUCell"),
    "rnn": (1, "RNN", "SimpleRNN", "SimpleCell"),
}
GATE_NAMES = {"lstm": "i, f, g, o", "gru": "r, z, n", "rnn": "one"}
NONLINEARITIES = ("tanh", "relu")
# a torch recurrent parameter: weight_ih_l0, bias_hh_l1_reverse, weight_hr_l0, a cell's weight_ih
PARAMETER = re.compile(
    r"(?P<prefix>(?:.*\.)?)(?P<what>weight|bias)_(?P<part>ih|hh|hr)(?P<index>_l[0-9]+)?(?P<reverse>_reverse)?"
)


@dataclass(frozen=True)
class Recurrent:
    """Which weight parameter of a recurrent module a layer is, and the module's sizes.

    part: ``ih`` (input → gates), ``hh`` (hidden → gates) or ``hr`` (LSTM projection);
    index: the stacked layer k; cell_module: a ``*Cell`` (names without ``_l{k}``);
    input_size: the features this layer's ``weight_ih`` reads (in, or (proj_size or H)·directions
    for k > 0), whichever part this is.
    """

    cell: str
    part: str
    hidden_size: int
    index: int = 0
    reverse: bool = False
    proj_size: int = 0
    nonlinearity: str = "tanh"
    cell_module: bool = False
    input_size: int = 0

    @property
    def gates(self) -> int:
        return CELLS[self.cell][0]

    @property
    def gate_size(self) -> int:
        return self.gates * self.hidden_size

    @property
    def state_size(self) -> int:
        """The state ``weight_hh`` reads: proj_size or H."""
        return self.proj_size or self.hidden_size

    @property
    def gated(self) -> bool:
        """The weight stacks several gates' matrices (LSTM, GRU; not the projection)."""
        return self.part != "hr" and self.gates > 1

    @property
    def torch_module(self) -> str:
        return CELLS[self.cell][1] + ("Cell" if self.cell_module else "")

    def parameter(self, what: str = "weight") -> str:
        """``weight_ih_l0``, ``bias_hh_l1_reverse``; a cell's ``weight_ih``."""
        if self.cell_module:
            return f"{what}_{self.part}"
        return f"{what}_{self.part}_l{self.index}" + ("_reverse" if self.reverse else "")


@dataclass(frozen=True)
class RecurrentWeight:
    """One weight parameter: torch shape ``(rows, cols)``, its bias count, and what it is."""

    recurrent: Recurrent
    rows: int
    cols: int
    bias: int

    @property
    def parameter(self) -> str:
        return self.recurrent.parameter()


def recurrent_weights(
    cell: str,
    input_size: int,
    hidden_size: int,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
    proj_size: int = 0,
    bias: bool = True,
    nonlinearity: str = "tanh",
    cell_module: bool = False,
) -> list[RecurrentWeight]:
    """The weight parameters of a torch recurrent module, in ``named_parameters()`` order."""
    gate_size = CELLS[cell][0] * hidden_size
    real_hidden = proj_size or hidden_size
    directions = 2 if bidirectional else 1
    found = []
    for index in range(num_layers):
        layer_input = input_size if index == 0 else real_hidden * directions
        for direction in range(directions):
            common = {
                "cell": cell,
                "hidden_size": hidden_size,
                "index": index,
                "reverse": direction == 1,
                "proj_size": proj_size,
                "nonlinearity": nonlinearity,
                "cell_module": cell_module,
                "input_size": layer_input,
            }
            biased = gate_size if bias else 0
            found.append(RecurrentWeight(Recurrent(part="ih", **common), gate_size, layer_input, biased))
            found.append(RecurrentWeight(Recurrent(part="hh", **common), gate_size, real_hidden, biased))
            if proj_size:
                found.append(RecurrentWeight(Recurrent(part="hr", **common), proj_size, hidden_size, 0))
    return found


def output_size(hidden_size: int, proj_size: int, bidirectional: bool) -> int:
    """The features the next layer sees: (proj_size or H)·num_directions."""
    return (proj_size or hidden_size) * (2 if bidirectional else 1)


def hidden_size_from(name: str, shape_of: Callable[[str], tuple[int, ...] | None]) -> tuple[int, str] | None:
    """H of the torch recurrent parameter `name`, read from its module's other parameters, and the
    evidence: ``weight_hr_l{k}`` ``(proj, H)`` when present, else ``weight_hh_l{k}`` ``(gates·H, H)``
    whose rows are 1, 3 or 4 times its columns. None when `name` is not such a parameter."""
    match = PARAMETER.fullmatch(name)
    if match is None:
        return None
    prefix, index, reverse = match.group("prefix"), match.group("index") or "", match.group("reverse") or ""
    projection = shape_of(f"{prefix}weight_hr{index}{reverse}")
    if projection is not None and len(projection) == 2:
        return projection[1], f"H = {projection[1]} from {prefix}weight_hr{index}{reverse} {projection}"
    recurrent = shape_of(f"{prefix}weight_hh{index}{reverse}")
    if recurrent is None or len(recurrent) != 2 or not recurrent[1]:
        return None
    gates, rest = divmod(recurrent[0], recurrent[1])
    cells = {g: CELLS[c][1] for c, (g, *_) in CELLS.items()}
    if rest or gates not in cells:
        return None
    return recurrent[1], (
        f"H = {recurrent[1]} from {prefix}weight_hh{index}{reverse} {recurrent}: {gates} gate(s), "
        f"{cells[gates]}"
    )
