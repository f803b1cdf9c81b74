"""``emit``: code that reproduces an initialization in a framework, exactly (the same realized
distribution), for every layer.

The framework's named initializer where it computes the same n; otherwise its sampler with the
numbers written out, and a comment saying why. The source semantics are a named initializer
(``--init``), a framework's conventions (``--from``), or glorotcalc's neutral ones.

Two forms, chosen by the input:

- **model** — the layers come from a torch ``print(model)`` printout, so each has a module path:
  the code initializes *that* model. torch: ``nn.init.kaiming_normal_(model.get_submodule("0")
  .weight, …)`` on every weight (the packed attention projection ``….self_attn.in_proj`` is
  ``model.get_submodule("….self_attn").in_proj_weight``; a printout of one bare layer is
  ``model.weight``), and every bias is zeroed with ``nn.init.zeros_`` — the schemes define the
  weight only, Glorot, He and LeCun set biases to zero, and so do Keras and Flax layers, so the
  torch code and the Keras/Flax code give the same model. Keras, Flax, JAX: a dict by module path,
  ``kernel_initializers["0"] = keras.initializers.HeUniform()``, and under each entry the layer
  call that takes it (``# keras.layers.Dense(256, kernel_initializer=kernel_initializers["0"])``);
  biases keep those layers' zeros. A weight no layer of the target holds as one tensor (the packed
  q/k/v) says so and gives the shape its initializer is exact for.
- **tensors** — every other input (fans, chains, architecture strings, ``--shape``): a stand-alone
  tensor per layer (``layer0 = torch.empty(256, 784)``), named by `identifiers`.

The JSON document has ``form`` (``model`` or ``tensors``) and per layer ``variable`` (what the
code sets: the tensor, the model's parameter, or the dict entry), ``parameter`` (the torch
parameter path, ``layers.0.self_attn.in_proj_weight``, as ``model.get_parameter`` takes it; null
for tensors) and ``bias`` (the bias path the code zeroes, or null).
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from glorotcalc.convention import framework_record, framework_stats
from glorotcalc.errors import UsageError
from glorotcalc.frameworks import (
    Expression,
    Framework,
    check_framework_mode,
    concat_rows,
    express,
    express_law,
    framework_shape,
    law_in,
    layer_default,
    spec_framework,
    spec_stats,
)
from glorotcalc.laws import DIFFERENCES, InitLaw, law_stats
from glorotcalc.layers import Layer
from glorotcalc.report import Report, columns
from glorotcalc.results import check_mode, layer_what, result_record, shape_text, stats_for
from glorotcalc.schemes import InitStats, recommended_scheme
from glorotcalc.torchrepr import ParsedModel

CODE_WIDTH = 88
LEXERS = {"python": "python", "julia": "julia", "javascript": "javascript"}  # prototxt: plain text
RESERVED = frozenset({"torch", "nn", "keras", "jax", "jnp", "sigma", "math", "np"})
# A printout is a torch model: a layer's parameters are ``{path}.weight`` and ``{path}.bias``,
# except for the packed q/k/v projection (``….self_attn.in_proj``: ``….self_attn.in_proj_weight``).
PARAMETER_PATHS = {"attention": "{name}_{part}"}  # layer kind → its parameter path; else below
PARAMETER_PATH = "{name}.{part}"
# the name a printout of one bare layer gives it (its class): that layer is the model itself
ROOT_LAYER = re.compile(
    r"(?:Lazy|NonDynamicallyQuantizable)?Linear|(?:Lazy)?Conv(?:Transpose)?[123]d|Embedding(?:Bag)?|Bilinear"
)


@dataclass(frozen=True)
class Slot:
    """Where one layer's initialization goes in the code: ``{w}``, ``{init}``, and its comments."""

    label: str  # the layer in the block's first comment
    w: str
    init: str
    variable: str  # what the code sets (JSON ``variable``)
    parameter: str | None = None  # the torch parameter path (model form)
    bias: str | None = None  # the torch bias path the code zeroes
    bias_code: str | None = None  # ``{b}`` of `Framework.model_bias`


def emit(
    layers: Sequence[Layer],
    target: Framework,
    *,
    scheme: str | None = None,
    distribution: str | None = None,
    source: Framework | None = None,
    init=None,
    no_color: bool = False,
) -> Report:
    """Code for `target` that draws each layer's weight as `scheme` × `distribution` (or `init`).

    `scheme`: None = the one recommended for each layer's activation (needs several layers or an
    `init`); `source`: whose conventions the scheme has (None: neutral, normal = untruncated).
    Layers from a printout (a `ParsedModel`) get the model form: code that initializes ``model``
    (see the module docstring); any other layers get stand-alone tensors.
    """
    _check_selection(layers, scheme, distribution, init)
    model = model_form(layers, target)
    slots = [model_slot(layer, target) for layer in layers] if model else tensor_slots(layers)
    blocks, records, rows = [], [], []
    for index, (layer, slot) in enumerate(zip(layers, slots, strict=True)):
        if isinstance(init, InitLaw):
            law_record, expression = _law_expression(layer, target, init)
            blocks.append(_code_block(target, layer, slot, index, law_record["summary"], expression, model))
            item = _item(slot, expression)
            records.append({**framework_record(layer, target), "result": law_record, **item})
            law_row = {"scheme": init.kind, "distribution": init.kind, "std": law_record["std"]}
            rows.append({"layer": layer.name, **law_row, **item})
            continue
        stats = _source_stats(layer, scheme, distribution, source, init)
        expression = express(stats, target, layer, code=True)
        summary = f"{stats.scheme} {_draws(stats)}"
        blocks.append(_code_block(target, layer, slot, index, summary, expression, model))
        item = {
            "variable": slot.variable,
            "parameter": slot.parameter,
            "bias": slot.bias,
            "initializer": expression.qualified if expression.named else _statements(expression, slot),
            "named": expression.named,
        }
        records.append({**framework_record(layer, target), "result": result_record(stats), **item})
        rows.append({"layer": layer.name, **result_record(stats), **item})
    header = "\n".join(target.model_header) + "\n\n" if model else ""
    code = "\n".join(target.imports) + "\n\n" + header + "\n\n".join(blocks) + "\n"
    origin = init.call if init is not None else source.name if source is not None else "neutral"
    document = {
        "emit": target.name,
        "language": target.language,
        "source": origin,
        "form": "model" if model else "tensors",
    }
    return Report(
        kind="emit",
        title=f"{target.title} code",
        columns=[],
        rows=rows,
        document={**document, "code": code, "layers": records},
        visuals=[lambda: CodeBlock(code, no_color, target.language)],
        csv_columns=EMIT_CSV_COLUMNS,
        value_hint="--value does not apply to emit, which prints code",
    )


EMIT_CSV_COLUMNS = columns(
    ("layer", "layer", "str"),
    ("variable", "variable", "str"),
    ("scheme", "scheme", "str"),
    ("distribution", "distribution", "str"),
    ("std", "std"),
    ("sampler_std", "sampler_std"),
    ("bound", "bound"),
    ("named", "named", "str"),
    ("initializer", "initializer", "str"),
)


def _check_selection(layers: Sequence[Layer], scheme: str | None, distribution: str | None, init) -> None:
    if init is not None:
        return
    if scheme is None and len(layers) == 1:
        raise UsageError("emit needs one scheme", None, "give --scheme glorot, he or lecun, or --init NAME")
    if distribution is None:
        raise UsageError(
            "emit needs one distribution", None, "give --dist uniform, normal or truncated, or --init NAME"
        )


def _source_stats(
    layer: Layer, scheme: str | None, distribution: str, source: Framework | None, init
) -> InitStats:
    if init is not None:
        return spec_stats(init, layer)
    scheme = scheme or recommended_scheme(layer.activation)[0]
    check_mode(layer.mode, (scheme,))
    if source is None:
        return stats_for(layer, scheme, distribution)
    stats = framework_stats(source, layer, scheme, distribution)
    check_framework_mode(source, stats)
    return stats


def _statements(expression: Expression, slot: Slot) -> str:
    return "\n".join(line.format(w=slot.w, init=slot.init) for line in expression.code)


def model_form(layers: Sequence[Layer], target: Framework) -> bool:
    """Whether the code initializes the printed model: the layers come from a torch printout (so
    they have module paths) and the target has a model form."""
    return isinstance(layers, ParsedModel) and bool(target.model_header)


def tensor_slots(layers: Sequence[Layer]) -> list[Slot]:
    """A stand-alone tensor per layer: ``layer0`` and its initializer ``layer0_init``."""
    return [Slot(name, name, f"{name}_init", name) for name in identifiers(layers)]


def parameter_path(layer: Layer, part: str) -> str:
    """The torch path of `layer`'s `part` (weight/bias) in the printed model: ``0.weight``,
    ``layers.0.self_attn.in_proj_weight``; a bare layer's printout (``Linear(…)``) is ``weight``."""
    if layer.recurrent is not None:  # the name is the parameter: lstm.weight_ih_l0 (bias_ih_l0)
        module, _, parameter = layer.name.rpartition(".")
        named = parameter.replace("weight_", f"{part}_", 1)
        return f"{module}.{named}" if module else named
    if ROOT_LAYER.fullmatch(layer.name):
        return part
    return PARAMETER_PATHS.get(layer.kind, PARAMETER_PATH).format(name=layer.name, part=part)


def model_access(target: Framework, path: str) -> str:
    """How `target`'s code reaches the parameter at `path` of ``model``."""
    module, _, attribute = path.rpartition(".")
    if not module:
        return target.model_root_weight.format(attribute=attribute)
    return target.model_weight.format(module=json.dumps(module), attribute=attribute)


def model_slot(layer: Layer, target: Framework) -> Slot:
    """`layer` in the printed model: its parameter (torch) or its entry in the initializer dict."""
    parameter = parameter_path(layer, "weight")
    w = model_access(target, parameter) if target.model_weight else ""
    init = target.model_initializer.format(key=json.dumps(layer.name))
    bias = parameter_path(layer, "bias") if target.model_bias and layer.bias else None
    return Slot(
        layer.name,
        w,
        init,
        w if target.model_weight else init,
        parameter,
        bias,
        None if bias is None else model_access(target, bias),
    )


def identifiers(layers: Sequence[Layer]) -> list[str]:
    """Python names for the layers' weights: ``features.0`` → ``features_0``; ASCII, never a keyword
    or a name the emitted code imports (``class`` → ``class_w``, ``x²`` → ``x_``); unique."""
    names: list[str] = []
    for index, layer in enumerate(layers):
        name = re.sub(r"[^0-9A-Za-z_]", "_", layer.name) or f"w{index}"
        name = f"w_{name}" if name[0].isdigit() else name
        if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED:
            name += "_w"
        while name in names or f"{name}_init" in RESERVED:
            name += "_"
        names.append(name)
    return names


def _item(slot: Slot, expression: Expression) -> dict:
    return {
        "variable": slot.variable,
        "parameter": slot.parameter,
        "bias": slot.bias,
        "initializer": expression.qualified if expression.named else _statements(expression, slot),
        "named": expression.named,
    }


def _law_expression(layer: Layer, target: Framework, law: InitLaw) -> tuple[dict, Expression]:
    """The law's statistics on its own framework's weight, and `target`'s code for the same law."""
    source = spec_framework(law)
    source_shape = framework_shape(layer, source)
    stats = law_stats(law, source_shape)
    shape = framework_shape(layer, target)
    expression = express_law(law_in(law, source.layout, target, len(source_shape)), target, shape, code=True)
    if expression is None:
        raise UsageError(
            f"{target.title} has no initializer for",
            law.call,
            f"{DIFFERENCES[law.kind]} (on {shape_text(shape)})",
        )
    summary = f"{law.name}: mean {stats.mean:.6g}, std {stats.std:.6g}"
    if stats.max_abs is not None:
        summary += f", max |w| {stats.max_abs:.6g}"
    record = {
        "kind": law.kind,
        "mean": stats.mean,
        "std": stats.std,
        "max_abs": stats.max_abs,
        "summary": summary,
    }
    return record, expression


def _draws(stats: InitStats) -> str:
    if stats.distribution == "uniform":
        return f"U(−{stats.bound:.6g}, {stats.bound:.6g}), std {stats.std:.6g}"
    if stats.distribution == "normal":
        return f"N(0, {stats.std:.6g}²), untruncated"
    return f"N(0, {stats.sampler_std:.6g}²) cut at ±{stats.support:.6g}, std {stats.std:.6g}"


def _code_block(
    target: Framework,
    layer: Layer,
    slot: Slot,
    index: int,
    summary: str,
    expression: Expression,
    model: bool,
) -> str:
    """One layer's statements. Tensors: the tensor, its init, the layer call holding such a weight.
    Model: the init on the model's parameter (and its bias), or the initializer's dict entry and
    the layer call that takes it."""
    shape = framework_shape(layer, target)
    comment = target.comment
    lines = [f"{comment} {slot.label}: {layer_what(layer)} · {summary}"]
    if not expression.named:
        lines.append(f"{comment} {expression.why}")
    fill = {
        "w": slot.w,
        "init": slot.init,
        "dims": ", ".join(map(str, shape)) or "()",
        "shape": repr(tuple(shape)),
        "list": repr(list(shape)),
    }
    if target.tensor_before and not model:
        lines.append(target.tensor_before.format(**fill))
    lines += _statements(expression, slot).splitlines()
    if target.tensor_after and not model:
        lines.append(target.tensor_after.format(**fill, index=index))
    if slot.bias_code is not None:
        lines.append(target.model_bias.format(b=slot.bias_code))
    hint = _layer_hint(target, layer, slot.init, takes_init=model)
    if hint:
        lines += [f"{comment} {part}" for part in hint.splitlines()]
    elif model and not target.model_weight:
        where = f"no {target.title} layer holds this weight as one tensor; " if target.layer_api else ""
        lines.append(f"{comment} {where}exact for a weight of shape {tuple(shape)}")
    return "\n".join(_wrap(line, comment, target.language) for line in lines)


def _layer_hint(target: Framework, layer: Layer, init: str, *, takes_init: bool = False) -> str | None:
    """Where the weight lives in that framework's layer API (dense, conv, embedding layers);
    with `takes_init`, only a layer call that takes the initializer (not torch's ``.weight``)."""
    if layer.recurrent is not None:
        template = target.layer_api.get(layer.default_key)
        if template is not None:
            return template.format(hidden=layer.recurrent.hidden_size, init=init)
        return _concat_hint(target, layer)
    template = target.layer_api.get(layer.kind)
    if template is None or not layer.in_channels or len(layer.kernel) > target.max_rank.get(layer.kind, 3):
        return None
    grouped = layer.groups > 1 and layer.kind != "depthwise"
    if grouped and "{groups}" not in template and "{feature_groups}" not in template:
        return None  # the framework's layer of this kind takes no groups: no layer holds this weight
    if ("{kernel}" in template or "{rank}" in template) and not layer.kernel:
        return None
    if takes_init and "{init}" not in template:
        return None
    kernel = tuple(layer.kernel)
    return template.format(
        fan_in=layer.in_channels,
        out=layer.out_channels,
        kernel=repr(kernel),
        rank=len(kernel),
        groups=f", groups={layer.groups}" if layer.groups > 1 else "",
        feature_groups=f", feature_group_count={layer.groups}" if layer.groups > 1 else "",
        multiplier=layer.out_channels // max(1, layer.in_channels),
        init=init,
    )


def _concat_hint(target: Framework, layer: Layer) -> str | None:
    """A recurrent weight `target` holds inside a kernel on [x, h] (hk.LSTM, tf.compat.v1 rnn_cell):
    the tensor above is exact for its own shape; an initializer for that kernel (tf.compat.v1's
    ``initializer=``, Haiku's inner ``hk.Linear``) draws with the whole kernel's fans instead."""
    default = layer_default(target, layer)
    if default is None or default.concat is None:
        return None
    where = " and ".join(concat_rows(target, layer, part) for part in (default, *default.also))
    text = (
        f"{target.title} holds this weight as {where}; an initializer for that kernel draws with its "
        "fans, not this tensor's"
    )
    return textwrap.fill(text, CODE_WIDTH - 2, break_on_hyphens=False)


def _wrap(line: str, comment: str = "#", language: str = "python") -> str:
    """Break a long Python call after its opening parenthesis (black style)."""
    if (
        len(line) <= CODE_WIDTH
        or language != "python"
        or line.lstrip().startswith(comment)
        or not line.endswith(")")
        or "(" not in line
    ):
        return line
    head, _, args = line.partition("(")
    return f"{head}(\n    {args[:-1]}\n)"


class CodeBlock:
    """Code for the terminal: syntax-highlighted there, plain text when piped or without colour."""

    def __init__(self, code: str, no_color: bool = False, language: str = "python") -> None:
        self.code = code.rstrip("\n")
        self.no_color = no_color
        self.lexer = LEXERS.get(language, "text")

    def __rich_console__(self, console, options):
        if console.is_terminal and not (self.no_color or console.no_color):
            from rich.syntax import Syntax

            yield Syntax(self.code, self.lexer, theme="ansi_dark", background_color="default", word_wrap=True)
        else:
            from rich.text import Text

            yield Text(self.code, no_wrap=True, overflow="ignore")
