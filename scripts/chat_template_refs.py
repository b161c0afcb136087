#!/usr/bin/python3
"""Reference renderings of chat templates by jinja2 itself, with transformers' settings.

Writes fspo-train/src/test/resources/chat-templates/references.json, which ChatTemplateTest compares the Java
renderer (HubSpot Jinjava) against, string for string. Run with Debian's jinja2 (apt-get install python3-jinja2):

    /usr/bin/python3 scripts/chat_template_refs.py

The environment mirrors transformers' chat_template_utils._compile_jinja_template and apply_chat_template:
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols extension, a
raise_exception global that raises TemplateError, transformers' own tojson filter (json.dumps with ensure_ascii=False,
not jinja2's HTML-escaping one) and strftime_now; the template is rendered with messages, tools=None,
documents=None, add_generation_prompt and the tokenizer's special tokens (bos_token, eos_token) as variables.

One deliberate difference: strftime_now formats a fixed date (FIXED_DATE, the Llama 3.x templates' own fallback
date) instead of today's, because the Java renderer pins it too, so a run renders the same prompt on every day
(training, resume, the reference cache and evaluation all tokenize alike).
"""
import datetime
import json
import os
import sys

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "fspo-train", "src", "test", "resources", "chat-templates")
FIXED_DATE = datetime.datetime(2024, 7, 26)

# The families' special tokens as their tokenizer_config.json sets them (Qwen2.5 has no bos_token: transformers
# then leaves the variable undefined).
FAMILIES = {
    "meta-llama-Llama-3.2-3B-Instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "Qwen-Qwen2.5-7B-Instruct.jinja": {"eos_token": "<|im_end|>"},
    "jinja2-features-probe.jinja": {"bos_token": "<s>", "eos_token": "</s>"},
    "raises.jinja": {"bos_token": "<s>", "eos_token": "</s>"},
}

FEW_SHOT = ("# Example 1\n## Question \nPick one?\n## Preferred Response \nA\n## Dispreferred Response \nB\n\n"
            "# Task\nGiven the examples above, generate a preferred response to the following question.\n"
            "## Question \nWhich one wins?\n")

CASES = [
    ("one user message", [{"role": "user", "content": "Hello, how are you?"}], True),
    ("one user message, no generation prompt", [{"role": "user", "content": "Hello, how are you?"}], False),
    ("few-shot prompt", [{"role": "user", "content": FEW_SHOT}], True),
    ("system and user", [{"role": "system", "content": "You are terse. "},
                         {"role": "user", "content": "Name a colour."}], True),
    ("assistant turn", [{"role": "user", "content": "Name a colour."},
                        {"role": "assistant", "content": "## Preferred Response \nBlue.\n"}], False),
    ("two turns", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
                   {"role": "user", "content": "  Quotes \" and 'single', backslash \\ and unicode: é, 日本, 🙂  "}],
     True),
]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    # transformers overrides jinja2's tojson, which escapes HTML characters
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return FIXED_DATE.strftime(fmt)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    env = environment()
    out = []
    for name, tokens in FAMILIES.items():
        with open(os.path.join(RESOURCES, name), encoding="utf-8") as f:
            template = env.from_string(f.read())
        for case, messages, add_generation_prompt in CASES:
            row = {"template": name, "case": case, "messages": messages,
                   "add_generation_prompt": add_generation_prompt, **tokens}
            try:
                row["expected"] = template.render(messages=messages, tools=None, documents=None,
                                                  add_generation_prompt=add_generation_prompt, **tokens)
            except jinja2.exceptions.TemplateError as e:
                row["error"] = str(e)
            out.append(row)
    path = os.path.join(RESOURCES, "references.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"jinja2": jinja2.__version__, "python": sys.version.split()[0], "renderings": out}, f,
                  ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(out)} renderings by jinja2 {jinja2.__version__} -> {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
