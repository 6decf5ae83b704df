"""Regenerates conformance-cases.json: expected outputs computed by Python Jinja2 (3.1.x) in the
environment transformers' _compile_jinja_template builds (ImmutableSandboxedEnvironment with
trim_blocks, lstrip_blocks, loopcontrols, json.dumps-based tojson, raise_exception).

Run: python3 generate_conformance.py > conformance-cases.json
Only the generator needs Python; the Java tests read the JSON.
"""
import json
import sys

import jinja2
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def transformers_like_env():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


# (name, template, variables[, error fragment our renderer must report])
CASES = [
    # whitespace control, trim_blocks, lstrip_blocks, comments, raw
    ("ws.trim_and_lstrip", "  {% if true %}\n  a\n  {% endif %}\nb {% if true %}  c{% endif %}\n{# c #}\nd\n", {}),
    ("ws.plus_disables", "x  {%+ if true %}y{% endif +%}\nz", {}),
    ("ws.minus_both_sides", "a  \n  {%- if true -%}  \n  b  \n  {%- endif -%}\n  c", {}),
    ("ws.variable_minus", "a \n {{- 'b' -}} \n c", {}),
    ("ws.variable_no_lstrip", "  {{ 'x' }}\n  y", {}),
    ("ws.comment_minus", "a  {#- note -#}  b", {}),
    ("ws.raw", "{% raw %}{{ not evaluated }}{% endraw %}", {}),
    ("ws.crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n", {}),
    ("ws.trailing_newline_dropped_once", "x\n\n", {}),
    # expressions and operators
    ("expr.arithmetic", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ -2 ** 2 }}", {}),
    ("expr.float_repr", "{{ 1e20 }} {{ 1.5e-5 }} {{ 0.1 + 0.2 }} {{ 3.0 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 1/3 }} {{ 4/2 }}", {}),
    ("expr.concat", "{{ 'a' ~ 1 ~ none ~ true }}|{{ 'a' + 'b' }}", {}),
    ("expr.compare", "{{ 1 == 1.0 }} {{ true == 1 }} {{ [1, 2] == [1, 2] }} {{ 'a' < 'b' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'b' != 'b' }}", {}),
    ("expr.membership", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }} {{ not 1 == 2 }}", {}),
    ("expr.boolean_values", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ '' or [] }}|{{ none and 1 }}", {}),
    ("expr.conditional", "{{ 'y' if 0 else 'n' }}|{{ 1 if false }}|{{ 'a' if 'x' in 'xyz' and not false or none }}", {}),
    ("expr.literals", "{{ [1, 'a', none, true, {'k': \"it's\"}] }} {{ ('a', 'b') }} {{ (1,) }} {{ {} }} {{ 1_000 }} {{ 0x10 }}", {}),
    ("expr.string_escapes", "{{ \"a\\tb\\x41\\u00e9\\d\" }}|{{ 'x' 'y' }}|{{ 'a\\'b' }}", {}),
    ("expr.repr_quotes", "{{ ['a\\'b', 'x\"y', \"both'\\\"\", 'new\\nline'] }}", {}),
    ("expr.none_and_bools", "{{ none }}|{{ undefined_name }}|{{ true }}|{{ False }}|{{ None }}", {}),
    ("expr.dict_literal_in_tag", "{{ {'a': {'b': 1}} }}", {}),
    # subscripts, slices, attributes
    ("sub.slices", "{{ 'abcdef'[::-1] }} {{ 'abcdef'[1:-1:2] }} {{ [1, 2, 3][-1] }} {{ [1, 2, 3][5] }}|{{ [1, 2, 3][1:] }} {{ [1, 2, 3][:-1] }} {{ (1, 2, 3)[::2] }} {{ [1,2,3,4,5][-2:0:-1] }}", {}),
    ("sub.unicode", "{{ s|length }} {{ s[1] }} {{ s[::-1] }} {{ s[1:2] }}", {"s": "é😀a"}),
    ("sub.dict_access", "{{ d['a'] }}{{ d.a }}{{ d['missing'] }}|{{ d.items() }}|{{ d.get('a') }}{{ d.get('b', 'z') }}{{ d.get('b') }}", {"d": {"a": 1}}),
    ("sub.dict_method_beats_key", "{{ d.items is defined }} {{ d['items'] }}", {"d": {"items": 5}}),
    ("sub.dotted_index", "{{ xs.0 }}{{ xs.1 }}", {"xs": ["p", "q"]}),
    ("sub.none_attribute", "{{ none.y is defined }}", {}),
    # string methods
    ("str.methods", "{{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.endswith('bc') }} {{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ '  x '.strip() }}|{{ 'xxhixx'.strip('x') }}", {}),
    ("str.more_methods", "{{ 'Hello World'.title() }} {{ 'hello'.capitalize() }} {{ 'a\\nb'.splitlines() }} {{ 'abc'.find('c') }} {{ 'a-b-c'.rsplit('-', 1) }} {{ 'a-b-c'.split('-', 1) }} {{ '  a  b '.split(None) }}", {}),
    ("str.case_and_replace", "{{ 'ab'.upper() }}{{ 'AB'.lower() }}{{ 'abca'.replace('a', 'x') }}{{ 'aaa'.replace('a', 'b', 2) }}{{ 'abc'.count('b') }}{{ '1'.isdigit() }}{{ '-'.join(['a', 'b']) }}", {}),
    ("str.qwen_think_split", "{{ c.split('</think>')[-1].lstrip('\\n') }}|{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}", {"c": "<think>\nplan\n</think>\n\nHello!"}),
    ("str.unicode_whitespace_strip", "[{{ s.strip() }}]", {"s": "\u00a0 x \u3000"}),
    # statements
    ("stmt.if_elif_else", "{% for x in [1, 2, 3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %};{% endfor %}", {}),
    ("stmt.loop_vars", "{% for a in [1, 2, 3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }};{% endfor %}", {}),
    ("stmt.loop_else", "{% for a in [] %}x{% else %}empty{% endfor %}{% for a in [1] %}x{% else %}empty{% endfor %}", {}),
    ("stmt.loop_filter", "{% for a in [1, 2, 3, 4] if a is even %}{{ loop.index }}:{{ a }}{{ loop.last }} {% endfor %}", {}),
    ("stmt.loop_cycle_range", "{% for i in range(3) %}{{ loop.cycle('o', 'e') }}{% endfor %}{{ range(1, 10, 3)|list }}{{ range(3, 0, -1)|list }}", {}),
    ("stmt.loop_unpack", "{% for k, v in {'a': 1, 'b': 2}|items %}{{ k }}={{ v }};{% endfor %}{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}", {}),
    ("stmt.nested_loops", "{% for i in [1, 2] %}{% for j in [3] %}{{ loop.index }}{% endfor %}{{ loop.index }}{% endfor %}", {}),
    ("stmt.break_continue", "{% for i in [1, 2, 3, 4] %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}", {}),
    ("stmt.set_scoping_loop", "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = i * 10 %}{{ x }}|{% endfor %}{{ x }}", {}),
    ("stmt.set_not_carried_between_iterations", "{% for i in [1, 2] %}{% if i == 2 %}[{{ y }}]{% endif %}{% set y = i %}{% endfor %}", {}),
    ("stmt.set_in_if_visible", "{% if true %}{% set z = 5 %}{% endif %}{{ z }}", {}),
    ("stmt.set_tuple", "{% set a, b = [1, 2] %}{{ b }}{{ a }}{% set t = 1, 2 %}{{ t }}", {}),
    ("stmt.set_block", "{% set s %}hi {{ 1 }}{% endset %}[{{ s }}]", {}),
    ("stmt.namespace", "{% set ns = namespace(a=1, found=false) %}{% for i in [1, 2] %}{% set ns.a = ns.a + i %}{% set ns.found = true %}{% endfor %}{{ ns.a }}{{ ns.found }}{{ ns.missing is defined }}", {}),
    ("stmt.macro", "{% macro m(a, b='B') %}<{{ a }}{{ b }}{{ c }}>{% endmacro %}{{ m(1) }}{{ m(1, b=2) }}{{ m() }}", {"c": "C"}),
    ("stmt.macro_sees_later_top_level_set", "{% macro m() %}[{{ x }}]{% endmacro %}{% set x = 1 %}{{ m() }}", {"x": "ctx"}),
    ("stmt.macro_in_loop_sees_iteration_vars", "{% for i in [1] %}{% set y = 2 %}{% macro m() %}[{{ y }}{{ i }}]{% endmacro %}{{ m() }}{% endfor %}", {}),
    ("stmt.loop_var_reassign", "{% for t in [{'function': {'name': 'f'}}, {'name': 'g'}] %}{% if t.function %}{% set t = t.function %}{% endif %}{{ t.name }}{% endfor %}", {}),
    # filters
    ("filter.common", "{{ 'abc'|first }}{{ [1, 2]|last }}{{ [3, 1, 2]|sort }}{{ ['a', 'b']|join(',') }}{{ 'Hello'|upper }}{{ 'Hello'|lower }}{{ none|default('d') }}{{ nope|default('d') }}{{ ''|default('d', true) }}{{ 'aab'|replace('a', 'x') }}{{ 5|string }}", {}),
    ("filter.trim_length", "[{{ '  a '|trim }}][{{ 'xay'|trim('xy') }}]{{ [1, 2]|length }}{{ 'abc'|count }}{{ nope|length }}{{ {'a': 1}|length }}", {}),
    ("filter.items_and_list", "{{ {'a': 1}|items|list }}{{ 'ab'|list }}{{ nope|items|list }}", {}),
    ("filter.select_map", "{{ ms|selectattr('r', 'equalto', 'u')|list }}{{ ms|map(attribute='r')|join }}{{ ms|rejectattr('r', 'equalto', 'u')|map(attribute='r')|list }}{{ [0, 1, 2]|select|list }}{{ [1, 2]|map('string')|join('-') }}{{ [{'a': {'b': 1}}]|map(attribute='a.b')|list }}", {"ms": [{"r": "u"}, {"r": "a"}]}),
    ("filter.aggregates", "{{ [3, 1]|max }}{{ [3, 1]|min }}{{ [3, 1]|sum }}{{ ['a', 'b']|reverse|list }}{{ 'ab'|reverse }}{{ [1, 1, 2]|unique|list }}{{ {'b': 1, 'a': 2}|dictsort }}", {}),
    ("filter.numbers", "{{ 3|float }}{{ '2.5'|float }}{{ 1.2345|round(2) }}{{ 2.5|round }}{{ 7|round }}{{ 2.5|int }}{{ '3'|int + 1 }}{{ -1|abs }}{{ 'x'|int }}", {}),
    ("filter.text", "{{ 'x\\ny'|indent(2) }}|{{ 'x\\ny'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2) }}|{{ 'a b'|wordcount }}|{{ 'hello wORLD-x'|title }}|{{ 'hELLO'|capitalize }}|{{ '<a&b>'|e }}", {}),
    ("filter.tojson", "{{ {'a': [1, 2.5, 'é\"\\n'], 'b': none, 'c': true}|tojson }}|{{ {'a': [1, {}], 'b': []}|tojson(indent=2) }}", {}),
    ("filter.tojson_options", "{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}{{ [1, 2]|tojson(separators=(',', ':')) }}{{ '€😀'|tojson(ensure_ascii=true) }}{{ 'x\\u0001y</tag>&\\x7f'|tojson }}{{ {'a': {'b': [1, [2]]}}|tojson(indent='\\t') }}", {}),
    ("filter.tojson_input", "{{ tool|tojson }}", {"tool": {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}}),
    # tests
    ("test.types", "{{ x is iterable }} {{ x is sequence }} {{ x is mapping }} {{ none is iterable }} {{ 'a' is sequence }} {{ true is number }} {{ true is integer }} {{ 1.0 is number }} {{ 1 is float }}", {}),
    ("test.values", "{{ 'x' is string }}{{ 1 is string }}{{ {} is mapping }}{{ [] is sequence }}{{ none is none }}{{ x is undefined }}{{ 0 is false }}{{ false is false }}{{ 1 is true }}{{ 3 is divisibleby 3 }}{{ 2 is odd }}{{ 2 is even }}", {}),
    ("test.comparisons", "{{ 2 is gt 1 }}{{ 2 is lt 1 }}{{ 2 is eq 2 }}{{ 2 is ne 2 }}{{ 1 is in [1] }}{{ false is sameas false }}{{ x is not defined }}{{ 'abc' is lower }}{{ 'ABC' is upper }}", {}),
    ("test.defined_key", "{{ m.reasoning_content is defined }}{{ m.reasoning_content is not none }}{{ m.content is defined }}", {"m": {"role": "assistant", "content": "x"}}),
]


# Templates in the style of popular model families (written for these tests), each rendered for a
# few conversations: they combine the features above the way real chat templates do.
LLAMA3_STYLE = ("{% set loop_messages = messages %}{% for message in loop_messages %}"
                "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' %}"
                "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
                "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
ALTERNATING_STYLE = ("{{ bos_token }}{% for message in messages %}"
                     "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
                     "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
                     "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}"
                     "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}")
MODEL_ROLE_STYLE = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
                    "{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
                    "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
                    "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}")
TOOLS_MULTILINE_STYLE = """{{- bos_token }}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{%- if builtin_tools is defined %}
    {{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\\n" }}
{%- endif %}
{{- "Today Date: " + date_string + "\\n\\n" }}
{%- if tools is not none %}
    {{- "You have these functions:\\n\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}
{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- set tool_call = message.tool_calls[0].function %}
        {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
        {{- '{"name": "' + tool_call.name + '", ' }}
        {{- '"parameters": ' }}
        {{- tool_call.arguments | tojson }}
        {%- for arg_name, arg_val in tool_call.arguments | items %}
            {{- ' ' + arg_name + '=' + arg_val | string }}
        {%- endfor %}
        {{- "}<|eot_id|>" }}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}
        {%- if message.content is mapping or message.content is iterable and message.content is not string %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""
REASONING_NS_STYLE = """{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}
{% set ns = namespace(is_first=false, is_tool=false, system_prompt='') %}
{%- for message in messages %}
    {%- if message['role'] == 'system' %}
        {% set ns.system_prompt = message['content'] %}
    {%- endif %}
{%- endfor %}
{{ bos_token }}{{ ns.system_prompt }}
{%- for message in messages %}
    {%- if message['role'] == 'user' %}
        {%- set ns.is_tool = false -%}
        {{ '<|User|>' + message['content'] }}
    {%- endif %}
    {%- if message['role'] == 'assistant' and message['content'] is not none %}
        {% set content = message['content'] %}
        {% if '</think>' in content %}
            {% set content = content.split('</think>')[-1] %}
        {% endif %}
        {{ '<|Assistant|>' + content + '<|end▁of▁sentence|>' }}
    {%- endif %}
{%- endfor -%}
{% if add_generation_prompt and not ns.is_tool %}{{ '<|Assistant|><think>\\n' }}{% endif %}"""

CONVERSATIONS = {
    "basic": [{"role": "user", "content": "  Hi there  "}, {"role": "assistant", "content": "Hello!"},
              {"role": "user", "content": "Bye"}],
    "system": [{"role": "system", "content": "Be brief. "}, {"role": "user", "content": "2+2?"}],
    "thinking": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nA"},
                 {"role": "user", "content": "Q2"}],
}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather <now> & 'later'",
                                          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
TOOL_CONVERSATION = [{"role": "system", "content": "sys"}, {"role": "user", "content": "Weather?"},
                     {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}}]},
                     {"role": "tool", "content": {"temp": 21}}, {"role": "tool", "content": "sunny"}]

for family, source in [("llama3", LLAMA3_STYLE), ("alternating", ALTERNATING_STYLE), ("model_role", MODEL_ROLE_STYLE),
                       ("tools_multiline", TOOLS_MULTILINE_STYLE), ("reasoning_ns", REASONING_NS_STYLE)]:
    for conv_name, conv in CONVERSATIONS.items():
        for agp in (True, False):
            CASES.append((f"family.{family}.{conv_name}.{'gen' if agp else 'nogen'}", source,
                          {"messages": conv, "add_generation_prompt": agp, "bos_token": "<s>", "eos_token": "</s>", "tools": None}))
CASES.append(("family.tools_multiline.tool_calls", TOOLS_MULTILINE_STYLE,
              {"messages": TOOL_CONVERSATION, "add_generation_prompt": True, "bos_token": "<s>", "tools": TOOLS,
               "builtin_tools": ["code_interpreter", "brave_search", "wolfram_alpha"]}))

ERRORS = [
    ("err.raise_exception", "{{ raise_exception('Only user and assistant roles are supported!') }}", {}, "Only user and assistant roles are supported!"),
    ("err.undefined_arithmetic", "{{ x + 1 }}", {}, "'x' is undefined"),
    ("err.undefined_attribute", "{{ x.y }}", {}, "'x' is undefined"),
    ("err.call_undefined", "{{ foo() }}", {}, "'foo' is undefined"),
    ("err.str_plus_int", "{{ 'a' + 1 }}", {}, "can only concatenate str"),
    ("err.none_plus_str", "{{ none + 'a' }}", {}, "unsupported operand type(s) for +"),
    ("err.unknown_filter", "{{ x|foo }}", {}, "No filter named 'foo'"),
    ("err.unknown_test", "{{ x is foo }}", {}, "No test named 'foo'"),
    ("err.unknown_tag", "{% foo %}", {}, "unknown tag 'foo'"),
    ("err.empty_if", "{% if %}{% endif %}", {}, "Expected an expression"),
    ("err.unclosed_if", "{% if true %}x", {}, "unexpected end of template"),
    ("err.sandbox_append", "{{ [1, 2].append(3) }}", {}, "unsafe"),
    ("err.non_namespace_assign", "{% set d = {} %}{% set d.x = 1 %}", {}, "non-namespace"),
    ("err.tojson_undefined", "{{ x|tojson }}", {}, "not JSON serializable"),
    ("err.zero_division", "{{ 1 // 0 }}", {}, "ZeroDivisionError"),
    ("err.order_mixed", "{{ 'a' < 1 }}", {}, "'<' not supported"),
    ("err.concat_precedence", "{{ 1 ~ 2 + 3 }}", {}, "can only concatenate str"),
    ("err.iterate_none", "{% for x in none %}{% endfor %}", {}, "not iterable"),
]


def main():
    env = transformers_like_env()
    out = []
    for name, template, variables in CASES:
        try:
            rendered = env.from_string(template).render(**variables)
        except TemplateError as e:  # model-style templates reject some conversations on purpose
            out.append({"name": name, "template": template, "variables": variables,
                        "error": str(e), "python_error": f"{type(e).__name__}: {e}"})
            continue
        out.append({"name": name, "template": template, "variables": variables, "expected": rendered})
    for name, template, variables, fragment in ERRORS:
        try:
            env.from_string(template).render(**variables)
        except Exception as e:  # the point is that Jinja fails too
            out.append({"name": name, "template": template, "variables": variables,
                        "error": fragment, "python_error": f"{type(e).__name__}: {e}"})
        else:
            sys.exit(f"{name}: expected Jinja to fail")
    json.dump({"generator": f"jinja2 {jinja2.__version__}, transformers-like environment",
               "cases": out}, sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
