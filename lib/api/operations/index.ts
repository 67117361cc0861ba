import type { Operation } from "../operation";
import { accessRequestOperations } from "./access-requests";
import { appOperations } from "./apps";
import { auditOperations } from "./audit";
import { handoffOperations } from "./handoff";
import { keyOperations } from "./keys";
import { planOperations } from "./plans";
import { productOperations } from "./products";
import { userOperations } from "./users";

/** Every operation of /api/v1: the router serves them and the OpenAPI document describes them. */
export const operations: Operation[] = [
  ...productOperations,
  ...planOperations,
  ...accessRequestOperations,
  ...handoffOperations,
  ...keyOperations,
  ...appOperations,
  ...userOperations,
  ...auditOperations,
];
