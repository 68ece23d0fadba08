"""Jupyter kernel conformance for the alignscope kernel (Debian python3-jupyter-kernel-test).

Run by test/kernel/conformance.test.ts with JUPYTER_PATH pointing at a kernelspec installed into a
temporary prefix:  JUPYTER_PATH=<prefix>/share/jupyter /usr/bin/python3 -m unittest -v test_conformance
The kernel name can be overridden with ALIGNSCOPE_KERNEL_NAME.
"""
import os
import unittest

import jupyter_kernel_test

# The display bridge of the built kernel, by absolute path (the package exports only its index).
DISPLAY_BRIDGE = os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "kernel", "dist", "jupyter", "display_bridge")
).replace(os.sep, "/")


class AlignscopeKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("ALIGNSCOPE_KERNEL_NAME", "alignscope")
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops, to stderr")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "const greeting: string = 'hi'; greeting + '!'", "result": "'hi!'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]

    code_display_data = [
        {
            "code": "import * as tslab from 'tslab';\ntslab.display.html('<i>from tslab</i>');",
            "mime": "text/html",
        },
        {
            # A JSON MIME type arrives as a JSON object (tslab itself would send a string).
            "code": "import * as tslab from 'tslab';\n"
            "tslab.display.raw('application/vnd.alignscope.v1+json', JSON.stringify({ kind: 'table', version: 1 }));",
            "mime": "application/vnd.alignscope.v1+json",
        },
    ]

    code_generate_error = 'throw new Error("expected failure")'

    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "const completeMe = 1; completeM", "matches": {"completeMe"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const y = [1, 2,", "if (true) {"]
    invalid_code_samples = ["const = 5;", "x = );", "}"]

    code_inspect_sample = "Math.max"

    code_clear_output = (
        f"import {{ clearOutput }} from '{DISPLAY_BRIDGE}';\n"
        "console.log('soon gone');\nclearOutput(true);"
    )

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6*7"


if __name__ == "__main__":
    unittest.main()
