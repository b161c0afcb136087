"""'Where the time goes' for train_scale_torch.py: one extra step under torch.profiler (CPU), each op's self time
put in the categories TrainScaleProfile.java uses:

  optimizer  anything under the "optimizer" scope (clip_grad_norm_, AdamW.step)
  lm_head    under "lm_head" (tied head matmul, log_softmax, gather, response sum) and their backward
  attention  under "attention" (repeat_kv, q k^T, mask, softmax, p v) and their backward
  matmul     aten::mm / addmm / matmul / linear / bmm outside those scopes (block projections, LoRA products) and
             their backward
  other      everything else (RMSNorm, RoPE, SiLU, residual adds, embedding, views), plus the Python time between ops

A backward op is put where its forward op was: the autograd node (autograd::engine::evaluate_function: XBackward0)
carries the sequence number of the forward op that created it. Shares are scaled to the median unprofiled step.
"""
from collections import Counter

from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile as torch_profile

SCOPES = ("optimizer", "lm_head", "attention")
MATMUL = {"aten::mm", "aten::addmm", "aten::matmul", "aten::linear", "aten::bmm"}
NODE = "autograd::engine::evaluate_function: "


def _forward_category(ev):
    """Category of a forward op from its enclosing scopes, then its own or an enclosing op's name."""
    e, is_mm = ev, False
    while e is not None:
        if e.name in SCOPES:
            return e.name
        is_mm = is_mm or e.name in MATMUL
        e = e.cpu_parent
    return "matmul" if is_mm else "other"


def profile(step, step_seconds):
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        step()
    events = [e for e in prof.events() if e.device_type == DeviceType.CPU]
    by_seq = {}  # forward sequence number -> category (innermost op with that number wins)
    for e in events:
        if e.sequence_nr >= 0 and not e.name.startswith(NODE) and not _in_backward(e):
            by_seq[e.sequence_nr] = _forward_category(e)
    secs, other = Counter(), Counter()
    total_us = sum(e.self_cpu_time_total for e in events)
    for e in events:
        node = _backward_node(e)
        c = by_seq.get(node.sequence_nr, "other") if node is not None else _forward_category(e)
        secs[c] += e.self_cpu_time_total
        if c == "other":
            other[(node.name[len(NODE):] if node is not None else e.name)] += e.self_cpu_time_total
    wall_us = max(e.time_range.end for e in events) - min(e.time_range.start for e in events)
    secs["other"] += max(0, wall_us - total_us)  # Python and dispatch between ops
    covered = sum(secs.values()) or 1
    cats = ("matmul", "attention", "lm_head", "optimizer", "other")
    return {"method": "torch.profiler of one extra step, op self times by scope; backward ops by their forward op; "
                      "shares scaled to the median step",
            "profiled_step_s": round(wall_us / 1e6, 3),
            "seconds": {c: round(secs[c] / covered * step_seconds, 3) for c in cats},
            "share": {c: round(secs[c] / covered, 3) for c in cats},
            "other_top": {k: round(v / covered, 3) for k, v in other.most_common(8)}}


def _backward_node(e):
    while e is not None:
        if e.name.startswith(NODE):
            return e
        e = e.cpu_parent
    return None


def _in_backward(e):
    return _backward_node(e) is not None
