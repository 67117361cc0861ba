"use client";

import { useEffect, useRef, useState } from "react";
import { Textarea } from "@/components/ui/textarea";

type Props = {
  value: string;
  onChange: (value: string) => void;
  labelId: string;
  describedBy?: string;
  invalid: boolean;
};

/**
 * The OpenAPI document in CodeMirror 6 (JSON or YAML highlighting, line numbers, undo), loaded after
 * the page. Until it loads, if it cannot, or when the person asks for it, a plain textarea. Tab is
 * left to the browser, so keyboard users move on from the editor as from any field.
 * The form field itself is a hidden input carrying the text either way.
 */
export function OpenApiEditor({ value, onChange, labelId, describedBy, invalid }: Props) {
  const [plain, setPlain] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<{ destroy(): void; contentDOM: HTMLElement; state: { doc: { toString(): string } }; dispatch(tr: unknown): void } | null>(null);
  const latest = useRef({ value, onChange });
  latest.current = { value, onChange };

  useEffect(() => {
    if (plain) return;
    let cancelled = false;
    void (async () => {
      try {
        const [{ EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, placeholder }, { EditorState }, commands, language, { json }, { yaml }, { classHighlighter }] = await Promise.all([
          import("@codemirror/view"),
          import("@codemirror/state"),
          import("@codemirror/commands"),
          import("@codemirror/language"),
          import("@codemirror/lang-json"),
          import("@codemirror/lang-yaml"),
          import("@lezer/highlight"),
        ]);
        if (cancelled || !host.current) return;
        const looksJson = latest.current.value.trimStart().startsWith("{");
        // tabindex 0 on the editable content (in the tab order already, being contenteditable): axe
        // counts only an explicit tabindex as keyboard access, and the editor's scroller, once a
        // document is long enough to scroll, was a "scrollable region without keyboard access".
        const attributes: Record<string, string> = { "aria-labelledby": labelId, "aria-multiline": "true", spellcheck: "false", tabindex: "0", "data-testid": "openapi-editor" };
        const editor = new EditorView({
          parent: host.current,
          state: EditorState.create({
            doc: latest.current.value,
            extensions: [
              lineNumbers(),
              highlightActiveLineGutter(),
              highlightActiveLine(),
              commands.history(),
              language.bracketMatching(),
              language.indentOnInput(),
              // Tokens as classes (tok-string, tok-number, …), coloured in app/globals.css for light and
              // dark: the page's theme switches without the editor being built again.
              language.syntaxHighlighting(classHighlighter),
              keymap.of([...commands.defaultKeymap, ...commands.historyKeymap]),
              looksJson ? json() : yaml(),
              placeholder("openapi: 3.1.0\ninfo:\n  title: …"),
              EditorView.lineWrapping,
              EditorView.contentAttributes.of(attributes),
              EditorView.updateListener.of((u) => {
                if (u.docChanged) latest.current.onChange(u.state.doc.toString());
              }),
              EditorView.theme({
                "&": { fontSize: "0.8125rem", maxHeight: "28rem" },
                ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", overflow: "auto" },
                ".cm-content": { minHeight: "14rem" },
              }),
            ],
          }),
        });
        view.current = editor;
        setLoaded(true);
      } catch {
        // The editor's code did not load (offline, blocked): the plain box does the job.
        if (!cancelled) setPlain(true);
      }
    })();
    return () => {
      cancelled = true;
      view.current?.destroy();
      view.current = null;
      setLoaded(false);
    };
  }, [plain, labelId]);

  // Errors are announced with the editor as with any field.
  useEffect(() => {
    const content = view.current?.contentDOM;
    if (!content) return;
    if (invalid) content.setAttribute("aria-invalid", "true");
    else content.removeAttribute("aria-invalid");
    if (describedBy) content.setAttribute("aria-describedby", describedBy);
    else content.removeAttribute("aria-describedby");
  }, [invalid, describedBy, loaded]);

  // Text set from outside (a loaded file, "Remove document") replaces the editor's.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.toString().length, insert: value } });
    }
  }, [value, loaded]);

  return (
    <div className="space-y-1.5">
      {plain || !loaded ? (
        <Textarea
          id="openapi"
          name="openapi"
          aria-labelledby={labelId}
          rows={14}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          spellCheck={false}
          className="inline-block font-mono"
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
        />
      ) : (
        <input type="hidden" name="openapi" value={value} />
      )}
      <div
        ref={host}
        hidden={plain || !loaded}
        className={`portico-code overflow-hidden rounded-md border bg-white text-zinc-900 focus-within:outline-2 focus-within:outline-indigo-500 dark:bg-zinc-900 dark:text-zinc-100 ${invalid ? "border-red-500" : "border-zinc-300 dark:border-zinc-700"}`}
      />
      <button type="button" onClick={() => setPlain((p) => !p)} className="text-xs text-indigo-700 underline dark:text-indigo-300">
        {plain ? "Use the code editor" : "Use a plain text box"}
      </button>
    </div>
  );
}
