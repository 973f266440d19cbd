# One image for every process of the SBR inbox: CLI, worker, beat, API, Flower.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY sbr_parser ./sbr_parser
COPY matching ./matching
COPY models ./models
COPY crm ./crm
COPY inbox ./inbox
COPY planner ./planner
COPY workers ./workers
COPY api ./api
COPY cli ./cli
COPY config ./config
RUN pip install --no-cache-dir .
# Run as an unprivileged user: the inbox reads hostile input.
RUN useradd --create-home --uid 10001 sbr
USER sbr
WORKDIR /home/sbr
ENTRYPOINT ["sbr-inbox"]
CMD ["--help"]
