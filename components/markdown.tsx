import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Renders owner-written Markdown. Raw HTML is not rendered (react-markdown's default), so no script
 * gets in. The page around it already has its one <h1> (the product's name), so a Markdown "# Title"
 * becomes an <h2> styled as the largest heading.
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="prose-portico">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        components={{
          h1: ({ node: _node, ...props }) => <h2 {...props} className="md-h1" />,
        }}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}
