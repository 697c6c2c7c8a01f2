# syntax=docker/dockerfile:1
# ContinuityHub container image (contract §2): build with the .NET SDK, run on the ASP.NET runtime image.
#
#   docker build -t continuityhub .
#   docker run -p 8080:8080 -e ConnectionStrings__Hub="Host=…;Database=continuityhub;Username=…;Password=…" \
#              -e Hub__Auth__Authority=https://issuer.example continuityhub
#
# The image has no PostgreSQL server binaries, so it never starts the embedded cluster: give it
# ConnectionStrings__Hub (without one it exits with a message saying so). Production = this image,
# an external PostgreSQL and N hub nodes; ops/compose.yaml is a two-node example.

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
# Node.js and npm build the web pages' design-system assets (src/ContinuityHub/Frontend.targets: npm ci, then copy
# into wwwroot/assets); only the copied files reach the runtime image, which has no Node.js.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files only, so the package layer is cached across source changes.
COPY Directory.Build.props Directory.Packages.props ContinuityHub.sln ./
COPY src/ContinuityHub/ContinuityHub.csproj src/ContinuityHub/
RUN dotnet restore src/ContinuityHub/ContinuityHub.csproj
# mappings/ sits at the repository root; the csproj links it into the build and publish output (mappings/).
COPY mappings/ mappings/
COPY src/ src/
RUN dotnet publish src/ContinuityHub/ContinuityHub.csproj -c Release --no-restore -o /app \
    && test -f /app/mappings/prisons.json \
    && test -f /app/wwwroot/assets/govuk-frontend.min.css

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
# HEALTHCHECK needs an HTTP client and the aspnet image has none. We install curl (a few MB, from the
# distribution's signed archive, no extra recommends) rather than adding a health-probe mode to the hub or
# relying on a shell's /dev/tcp: it is the tool operators expect, and it is handy for debugging in the container.
# The image also already carries tzdata and ICU, which the hub needs for Europe/London dates.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

# The non-root user the .NET images ship ("app", UID $APP_UID = 1654) owns only the data folder (the development
# signing key lives there; ops/compose.yaml mounts a volume on it so both nodes share one key).
RUN mkdir -p /var/lib/continuityhub && chown "$APP_UID:$APP_UID" /var/lib/continuityhub
WORKDIR /app
COPY --from=build /app ./

# Production: no development signing key, dev-token or /dev/signin; without Hub__Auth__Authority (the OIDC issuer)
# the hub refuses to start. (A Release build defaults to Production anyway; said here so nobody has to know that.)
ENV ASPNETCORE_ENVIRONMENT=Production \
    Hub__Logging__Json=true \
    Hub__DataDirectory=/var/lib/continuityhub \
    Urls=http://+:8080 \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1

USER $APP_UID
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl --fail --silent --show-error --max-time 2 http://127.0.0.1:8080/health/ready > /dev/null || exit 1

# `docker run -e ASPNETCORE_ENVIRONMENT=Development IMAGE dev-token --role …` runs the hub's dev-token command
# (it refuses in any other environment).
ENTRYPOINT ["dotnet", "ContinuityHub.dll"]
