FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=qualiti.settings.production

# Debian's Chromium prints the reports to PDF (through Playwright, which downloads nothing).
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
ENV QUALITI_CHROMIUM_PATH=/usr/bin/chromium

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings to import, but never uses this key at run time.
RUN SECRET_KEY=collectstatic-only-collectstatic-only-collectstatic-only \
    python manage.py collectstatic --no-input \
    && useradd --create-home qualiti && mkdir -p /app/var/media && chown -R qualiti /app/var
USER qualiti
EXPOSE 8000
CMD ["gunicorn", "qualiti.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
