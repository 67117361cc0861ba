/** The Identity API demo product's OpenAPI document: OAuth 2.0 client credentials with scopes. */
export const IDENTITY_OPENAPI = `openapi: 3.0.3
info:
  title: Identity API
  version: "1.0"
  description: Verify users' identity documents. Every call needs an OAuth 2.0 access token with the scopes named below.
servers:
  - url: https://api.example.com/identity/v1
paths:
  /verifications:
    post:
      operationId: createVerification
      summary: Start a document verification
      security:
        - oauth: [verifications:write]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [document_type, country]
              properties:
                document_type: { type: string, enum: [passport, id_card, driving_licence] }
                country: { type: string, example: DE }
      responses:
        "201":
          description: Started; send the user to upload_url.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Verification" }
  /verifications/{id}:
    get:
      operationId: getVerification
      summary: Get a verification's result
      security:
        - oauth: [verifications:read]
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: The verification.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Verification" }
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://portal.example.com/oauth/token
          scopes:
            verifications:read: Read verification results
            verifications:write: Start verifications
  schemas:
    Verification:
      type: object
      properties:
        id: { type: string, example: ver_3kL9 }
        status: { type: string, enum: [pending, verified, rejected] }
        upload_url: { type: string, format: uri }
        created: { type: string, format: date-time }
`;
