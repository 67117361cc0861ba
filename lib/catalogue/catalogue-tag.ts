/** Every catalogue read is cached under this tag; anything that changes a product calls revalidateTag. */
export const CATALOGUE_TAG = "catalogue";
