/** The Weather API demo product's OpenAPI document (JSON, as an owner would upload it). */
export const WEATHER_OPENAPI = JSON.stringify(
  {
    openapi: "3.1.0",
    info: { title: "Weather API", version: "2.0", description: "Forecasts and observations for any point on Earth. Temperatures in °C, wind in m/s." },
    servers: [{ url: "https://api.example.com/weather/v2" }],
    security: [{ apiKey: [] }],
    paths: {
      "/forecast": {
        get: {
          operationId: "getForecast",
          summary: "Hourly forecast for a point",
          tags: ["Forecasts"],
          parameters: [
            { name: "lat", in: "query", required: true, schema: { type: "number", minimum: -90, maximum: 90, examples: [52.52] } },
            { name: "lon", in: "query", required: true, schema: { type: "number", minimum: -180, maximum: 180, examples: [13.405] } },
            { name: "hours", in: "query", schema: { type: "integer", minimum: 1, maximum: 240, default: 48 } },
          ],
          responses: {
            "200": { description: "The forecast, one entry per hour.", content: { "application/json": { schema: { $ref: "#/components/schemas/Forecast" } } } },
            "400": { description: "A coordinate is out of range.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          },
        },
      },
      "/observations/{station}": {
        get: {
          operationId: "getObservation",
          summary: "Latest observation at a station",
          tags: ["Observations"],
          parameters: [{ name: "station", in: "path", required: true, schema: { type: "string", examples: ["10382"] } }],
          responses: {
            "200": { description: "What the station measured last.", content: { "application/json": { schema: { $ref: "#/components/schemas/Observation" } } } },
            "404": { description: "No such station.", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          },
        },
      },
      "/stations": {
        get: {
          operationId: "listStations",
          summary: "Stations near a point",
          tags: ["Observations"],
          parameters: [
            { name: "lat", in: "query", required: true, schema: { type: "number" } },
            { name: "lon", in: "query", required: true, schema: { type: "number" } },
          ],
          responses: {
            "200": { description: "Stations, nearest first.", content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Station" } } } } },
          },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" } },
      schemas: {
        Forecast: {
          type: "object",
          properties: {
            lat: { type: "number" },
            lon: { type: "number" },
            hours: { type: "array", items: { $ref: "#/components/schemas/Hour" } },
          },
        },
        Hour: {
          type: "object",
          properties: {
            time: { type: "string", format: "date-time" },
            temperature: { type: "number", examples: [14.2] },
            precipitation: { type: "number", description: "mm in the hour", examples: [0.4] },
            wind_speed: { type: "number", examples: [3.1] },
            summary: { type: "string", enum: ["clear", "cloudy", "rain", "snow", "storm"] },
          },
        },
        Observation: {
          type: "object",
          properties: {
            station: { type: "string" },
            observed_at: { type: "string", format: "date-time" },
            temperature: { type: "number" },
            humidity: { type: "number", minimum: 0, maximum: 100 },
            pressure: { type: "number", description: "hPa" },
          },
        },
        Station: {
          type: "object",
          properties: { id: { type: "string" }, name: { type: "string" }, distance_km: { type: "number" } },
        },
        Error: { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } } } },
      },
    },
  },
  null,
  2,
);
