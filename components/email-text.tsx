import { Fragment } from "react";
import { cn } from "./ui/cn";

/**
 * A person as someone wrote them: an email address, or the name shown in its place, that may break
 * before each address's "@": "scale-331@example.com" wraps as "scale-331" / "@example.com", never
 * as "scale-331@exam" / "ple.com" the way overflow-wrap:anywhere let it. A side of the "@" longer
 * than the whole line still wraps inside itself (break-words) rather than run past the column, and
 * a hyphen stays a place to break as in any word. A side longer than LONG_SIDE characters breaks
 * anywhere, so that no address sets a table column's width. The parts are plain text around a <wbr>, so the
 * address copies, and is named to a screen reader, as it is written (inline blocks added a space).
 *
 * The whole is a <bdi>: a name is typed by its owner, and one holding a right-to-left override
 * (U+202E) or right-to-left letters would otherwise reorder the words after it on the line ("Approved
 * by …, Omar Owner" read backwards). So it is one person per EmailText; a list of people is one each.
 */
export function EmailText({ text, className }: { text: string; className?: string }) {
  return (
    <bdi data-slot="email-text" className={cn("break-words", className)}>
      {text.split(/(\s+)/).map((word, i) => {
        // The last "@": a quoted local part may hold one of its own.
        const at = word.lastIndexOf("@");
        if (at <= 0) return word;
        return (
          <Fragment key={i}>
            <Side text={word.slice(0, at)} />
            <wbr />
            <Side text={word.slice(at)} />
          </Fragment>
        );
      })}
    </bdi>
  );
}

/**
 * Past this many characters a side of the "@" may break anywhere. break-words alone does not lower a
 * table cell's narrowest width, so a 64-character local part widened the queue's requester column
 * until the table scrolled sideways; a side this short fits every column that shows an email.
 */
const LONG_SIDE = 24;

function Side({ text }: { text: string }) {
  return text.length > LONG_SIDE ? <span className="wrap-anywhere">{text}</span> : text;
}
