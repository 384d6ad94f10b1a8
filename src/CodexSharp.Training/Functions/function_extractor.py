"""Splits Python source into HumanEval-style problems. Reads JSON lines on stdin, writes JSON lines on stdout.

It only parses (ast); it never imports or runs the code it reads, so it may read untrusted files outside the
sandbox. Requests:
  {"kind": "doctest", "path": P, "source": S}
      -> one {"kind": "function", ...} per top-level function whose docstring holds doctest examples, then
         {"kind": "done", "path": P, "dropped": {reason: count}}
  {"kind": "mbpp", "id": N, "code": C, "tests": [T...], "docstring": D}
      -> {"kind": "mbpp", "id": N, "prompt": ..., "solution": ..., "entry_point": E}, or with "error": why;
         the entry point is the last top-level function of C that the tests call
  {"kind": "split_docstring", "prompt": P, "entry_point": E}
      -> {"before": code before E's docstring, "docstring": its text, "after": code after it}, or "error"
  {"kind": "check_example", "prompt": P, "solution": S, "entry_point": E, "docstring": bool}
      -> {} when P + S parses and defines E (with split_docstring's fields when asked), or "error" and "field"
"""
import ast
import builtins
import json
import sys

BUILTINS = set(dir(builtins)) | {"__name__", "__file__", "__doc__"}


def bound_by_import(node):
    names = []
    for alias in node.names:
        if alias.name == "*":
            return None
        names.append(alias.asname or alias.name.split(".")[0])
    return names


def stored_names(function):
    names = {function.name}
    args = function.args
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        names.add(arg.arg)
    for arg in (args.vararg, args.kwarg):
        if arg is not None:
            names.add(arg.arg)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(bound_by_import(node) or [])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            return None
    return names


def loaded_names(function):
    return {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def split_function(lines, function):
    """(header + docstring lines, body lines) of a function whose first statement is its docstring."""
    doc = function.body[0]
    header = lines[function.lineno - 1:doc.end_lineno]
    body = lines[doc.end_lineno:function.end_lineno]
    return "".join(header), "".join(body)


def doctest_functions(path, source):
    dropped = {}

    def drop(reason):
        dropped[reason] = dropped.get(reason, 0) + 1

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        drop("syntax_error")
        return [], dropped
    lines = source.splitlines(keepends=True)
    imports = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            names = bound_by_import(node)
            if names is None:
                continue
            text = "".join(lines[node.lineno - 1:node.end_lineno])
            for name in names:
                imports[name] = text
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        docstring = ast.get_docstring(node, clean=False)
        if not docstring or ">>>" not in docstring:
            continue
        if node.decorator_list:
            drop("decorated")
            continue
        if len(node.body) < 2:
            drop("no_body")
            continue
        stored = stored_names(node)
        if stored is None:
            drop("not_standalone")
            continue
        free = loaded_names(node) - stored - BUILTINS
        if any(name not in imports for name in free):
            drop("not_standalone")
            continue
        words = set(docstring.replace(".", " ").replace("(", " ").split())
        used = sorted({imports[name] for name in imports if name in free or name in words},
                      key=lambda text: list(imports.values()).index(text))
        header, body = split_function(lines, node)
        if not body.strip():
            drop("no_body")
            continue
        prompt = "".join(used) + ("\n\n" if used else "") + header
        found.append({"kind": "function", "path": path, "name": node.name, "line": node.lineno,
                      "prompt": prompt, "solution": body, "docstring": docstring,
                      "docstring_literal": repr(docstring)})
    return found, dropped


def mbpp_problem(request):
    code = request["code"].replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    if not code.endswith("\n"):
        code += "\n"
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return {"error": "the reference code does not parse"}
    called = set()
    for test in request["tests"]:
        try:
            called |= {n.func.id for n in ast.walk(ast.parse(test))
                       if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        except (SyntaxError, ValueError):
            return {"error": "a test does not parse"}
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in called]
    if not functions:
        return {"error": "the tests call no top-level function of the reference code"}
    function = functions[-1]
    lines = code.splitlines(keepends=True)
    first = function.body[0]
    has_docstring = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
        and isinstance(first.value.value, str)
    body_lines = function.body[1:] if has_docstring else function.body
    if not body_lines:
        return {"error": "the entry function has no body"}
    if first.lineno == function.lineno:
        return {"error": "the entry function's body is on its def line"}
    start = function.decorator_list[0].lineno - 1 if function.decorator_list else function.lineno - 1
    header = "".join(lines[start:first.lineno - 1])
    body_start = body_lines[0].lineno - 1
    indent = lines[body_start][:len(lines[body_start]) - len(lines[body_start].lstrip())] or "    "
    text = request["docstring"].strip().replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    docstring = f'{indent}"""{text}\n{indent}"""\n'
    prefix = "".join(lines[:start])
    solution = "".join(lines[body_start:function.end_lineno]) + "".join(lines[function.end_lineno:])
    return {"prompt": prefix + header + docstring, "solution": solution, "entry_point": function.name}


def split_docstring(request):
    """A prompt's entry function split into code before its docstring, the docstring, and code after it."""
    prompt = request["prompt"]
    tree = None
    # A prompt that ends in its docstring parses as it is; one without a body needs a statement at the indent
    # its body would have (MBPP's functions are indented by two spaces as often as by four).
    for indent in ("", "    ", "  ", "\t", "        "):
        try:
            tree = ast.parse(prompt + (indent + "pass\n" if indent else ""))
            break
        except (SyntaxError, ValueError):
            continue
    if tree is None:
        return {"error": "the prompt does not parse"}
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == request["entry_point"]]
    if not functions:
        return {"error": f"the prompt defines no function '{request['entry_point']}'"}
    function = functions[-1]
    first = function.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant)
            and isinstance(first.value.value, str)):
        return {"error": f"'{request['entry_point']}' has no docstring"}
    lines = prompt.splitlines(keepends=True)
    before = "".join(lines[:first.lineno - 1])
    after = "".join(lines[first.end_lineno:])
    return {"before": before, "docstring": first.value.value, "after": after}


def check_example(request):
    """A fine-tuning example: prompt + solution must parse and define the entry point."""
    entry = request["entry_point"]
    try:
        tree = ast.parse(request["prompt"] + request["solution"])
    except SyntaxError as e:
        return {"error": f"the prompt followed by it does not parse as Python: {e.msg} (line {e.lineno})",
                "field": "canonical_solution"}
    except (ValueError, RecursionError, MemoryError) as e:
        return {"error": f"the prompt followed by it does not parse as Python: {e}", "field": "canonical_solution"}
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == entry for n in ast.walk(tree)):
        return {"error": f"prompt + canonical_solution define no function '{entry}'", "field": "entry_point"}
    if not request.get("docstring"):
        return {}
    answer = split_docstring({"prompt": request["prompt"], "entry_point": entry})
    if "error" in answer:
        answer["field"] = "prompt"
    return answer


def main():
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        if request["kind"] == "doctest":
            found, dropped = doctest_functions(request["path"], request["source"])
            for row in found:
                out.write(json.dumps(row) + "\n")
            out.write(json.dumps({"kind": "done", "path": request["path"], "dropped": dropped}) + "\n")
        elif request["kind"] == "check_example":
            answer = check_example(request)
            answer.update({"kind": "check_example"})
            out.write(json.dumps(answer) + "\n")
        elif request["kind"] == "split_docstring":
            answer = split_docstring(request)
            answer.update({"kind": "split_docstring"})
            out.write(json.dumps(answer) + "\n")
        else:
            answer = mbpp_problem(request)
            answer.update({"kind": "mbpp", "id": request["id"]})
            out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
