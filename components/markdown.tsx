import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/** Renders owner-written Markdown. Raw HTML is not rendered (react-markdown's default), so no script gets in. */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="prose-portico">
      <ReactMarkdown remarkPlugins={[remarkGfm]} skipHtml>
        {children}
      </ReactMarkdown>
    </div>
  );
}
