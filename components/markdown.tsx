import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Renders owner-written Markdown. Raw HTML is not rendered (react-markdown's default), so no script
 * gets in. The page around it already has its one <h1> (the product's name), so a Markdown "# Title"
 * becomes an <h2> styled as the largest heading. Inside a section that has its own <h2> (`within`
 * "section": the product page's "About this API"), the headings go a level further down, "#" and
 * "##" both to <h3>, so they sit under that heading in the page's outline. Each keeps the look of
 * the level it was written at.
 */
export function Markdown({ children, within = "page" }: { children: string; within?: "page" | "section" }) {
  return (
    <div className="prose-portico">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        components={within === "section" ? IN_SECTION : ON_PAGE}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}

type HeadingProps = React.HTMLAttributes<HTMLHeadingElement> & { node?: unknown };

const ON_PAGE = {
  h1: ({ node: _node, ...props }: HeadingProps) => <h2 {...props} className="md-h1" />,
};

const IN_SECTION = {
  h1: ({ node: _node, ...props }: HeadingProps) => <h3 {...props} className="md-h1" />,
  h2: ({ node: _node, ...props }: HeadingProps) => <h3 {...props} className="md-h2" />,
  h3: ({ node: _node, ...props }: HeadingProps) => <h4 {...props} className="md-h3" />,
  h4: ({ node: _node, ...props }: HeadingProps) => <h5 {...props} className="md-h4" />,
  h5: ({ node: _node, ...props }: HeadingProps) => <h6 {...props} className="md-h4" />,
  h6: ({ node: _node, ...props }: HeadingProps) => <h6 {...props} className="md-h4" />,
};
