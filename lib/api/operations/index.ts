import type { Operation } from "../operation";
import { accessRequestOperations } from "./access-requests";
import { keyOperations } from "./keys";
import { productOperations } from "./products";

/** Every operation of /api/v1: the router serves them and the OpenAPI document describes them. */
export const operations: Operation[] = [...productOperations, ...accessRequestOperations, ...keyOperations];
