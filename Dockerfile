# One image for every service; SERVICE picks which one runs.
#   docker build -t sms-gateway . && docker run -e SERVICE=intake ... sms-gateway
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs ./libs
# onnxruntime-node carries its CPU libraries; its install step would fetch optional GPU ones.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --no-audit --no-fund
COPY . .
RUN node tools/build.mjs && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/libs ./libs
COPY --from=build --chown=node:node /app/apps ./apps
COPY --from=build --chown=node:node /app/tools ./tools
COPY --from=build --chown=node:node /app/package.json ./package.json
USER node
ARG SERVICE=intake
ENV SERVICE=${SERVICE}
# kafkajs 2.2.4 warns about a negative timer on Node 24 (kafkajs issue 1751): harmless noise.
CMD ["sh", "-c", "exec node --enable-source-maps apps/${SERVICE}/dist/main.js"]
