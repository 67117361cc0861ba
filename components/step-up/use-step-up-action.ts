"use client";

import { type FormEvent, startTransition, useActionState } from "react";
import type { ActionResult } from "@/lib/actions/action-result";
import { useStepUp } from "./step-up-provider";

type ServerAction<R extends ActionResult> = (prev: R | null, data: FormData) => Promise<R>;

/**
 * useActionState for a privileged action (validatedActionWithUser with `stepUp: true`). When the
 * server answers `stepUp: true`, nothing was done: the step-up dialog asks for a code and the same
 * FormData is sent again. `onSubmit` posts without a form `action`, so React does not reset the
 * fields: what the user typed stays while the code is asked for (and after a refusal).
 * `onResult` sees the final answer (not the step-up request).
 */
export function useStepUpAction<R extends ActionResult>(action: ServerAction<R>, onResult?: (result: R) => void) {
  const ask = useStepUp();
  const [state, dispatch, pending] = useActionState(async (prev: R | null, data: FormData) => {
    let result = await action(prev, data);
    if (result.stepUp && (await ask())) result = await action(prev, data);
    if (!result.stepUp) onResult?.(result);
    return result;
  }, null);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter);
    startTransition(() => dispatch(data));
  };
  return { state, dispatch, pending, onSubmit };
}
