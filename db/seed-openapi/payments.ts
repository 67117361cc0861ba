/** The Payments API demo product's OpenAPI document (YAML, as an owner would paste it). */
export const PAYMENTS_OPENAPI = `openapi: 3.0.3
info:
  title: Payments API
  version: "1.4"
  description: Charge cards, issue refunds and reconcile payouts. Amounts are in the currency's minor unit (cents).
servers:
  - url: https://api.example.com/payments/v1
security:
  - apiKey: []
paths:
  /charges:
    get:
      operationId: listCharges
      summary: List charges
      tags: [Charges]
      parameters:
        - name: limit
          in: query
          schema: { type: integer, minimum: 1, maximum: 100, default: 20 }
        - name: starting_after
          in: query
          description: A charge id; the page starts after it.
          schema: { type: string }
      responses:
        "200":
          description: A page of charges, newest first.
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: { type: array, items: { $ref: "#/components/schemas/Charge" } }
                  has_more: { type: boolean }
        "401": { $ref: "#/components/responses/Unauthorized" }
    post:
      operationId: createCharge
      summary: Charge a card
      tags: [Charges]
      parameters:
        - name: Idempotency-Key
          in: header
          description: Retries with the same key charge once.
          schema: { type: string }
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/NewCharge" }
      responses:
        "201":
          description: The charge was made.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Charge" }
        "402":
          description: The card was declined.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
        "401": { $ref: "#/components/responses/Unauthorized" }
  /charges/{id}:
    get:
      operationId: getCharge
      summary: Get a charge
      tags: [Charges]
      parameters:
        - { name: id, in: path, required: true, schema: { type: string, example: ch_1Q2w3E4r } }
      responses:
        "200":
          description: The charge.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Charge" }
        "404":
          description: No such charge.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
  /refunds:
    post:
      operationId: createRefund
      summary: Refund a charge
      tags: [Refunds]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [charge]
              properties:
                charge: { type: string, description: The charge to refund. }
                amount: { type: integer, description: Part of the charge to refund; the whole charge when left out. }
      responses:
        "201":
          description: The refund was made.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Refund" }
  /payouts:
    get:
      operationId: listPayouts
      summary: List payouts
      tags: [Payouts]
      responses:
        "200":
          description: Payouts to your bank account, newest first.
          content:
            application/json:
              schema:
                type: array
                items: { $ref: "#/components/schemas/Payout" }
components:
  securitySchemes:
    apiKey:
      type: apiKey
      in: header
      name: X-API-Key
      description: Your app's key, shown to you once, when you generate it.
  responses:
    Unauthorized:
      description: The key is missing, unknown, expired or revoked.
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Error" }
  schemas:
    NewCharge:
      type: object
      required: [amount, currency, source]
      properties:
        amount: { type: integer, minimum: 50, example: 2500 }
        currency: { type: string, example: eur }
        source: { type: string, description: A card token from the payment form., example: tok_visa }
        description: { type: string, example: Order 1042 }
    Charge:
      type: object
      properties:
        id: { type: string, example: ch_1Q2w3E4r }
        amount: { type: integer, example: 2500 }
        currency: { type: string, example: eur }
        status: { type: string, enum: [succeeded, pending, failed] }
        refunded: { type: integer, description: Amount refunded so far., example: 0 }
        created: { type: string, format: date-time }
    Refund:
      type: object
      properties:
        id: { type: string, example: re_5T6y7U8i }
        charge: { type: string, example: ch_1Q2w3E4r }
        amount: { type: integer, example: 2500 }
        status: { type: string, enum: [succeeded, pending, failed] }
    Payout:
      type: object
      properties:
        id: { type: string, example: po_9O8i7U6y }
        amount: { type: integer, example: 125000 }
        currency: { type: string, example: eur }
        arrival_date: { type: string, format: date }
    Error:
      type: object
      properties:
        error:
          type: object
          properties:
            code: { type: string, example: card_declined }
            message: { type: string, example: The card was declined. Ask the customer for another card. }
`;
