#!/usr/bin/env bash
# Back up KispFam: the PostgreSQL database (pg_dump's custom format) and the media
# storage (uploaded scans, frozen protocol PDFs) into one directory.
#
#   scripts/backup.sh /var/backups/kispfam
#
# Reads DATABASE_URL (postgres://user@host:port/name) and MEDIA_ROOT (default:
# var/uploads beside this script's repository), as the application does. Writes
#   kispfam-<UTC time>.dump       the database (pg_restore reads it)
#   kispfam-<UTC time>-media.tar.gz  the media storage
#   kispfam-<UTC time>.sha256     checksums of both
# and prints the name stem. The database is dumped first: a file that appears while the
# media are packed is at worst an orphan, never a row without its file. Keep the
# directory on another machine; the backup contains social data (encrypt it at rest).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:?usage: $0 TARGET_DIRECTORY}"
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; back up the SQLite file instead" >&2; exit 2 ;;
esac
media="${MEDIA_ROOT:-$repo/var/uploads}"
mkdir -p "$target" "$media"
umask 077

stem="kispfam-$(date -u +%Y%m%dT%H%M%SZ)"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" \
  --file="$target/$stem.dump"
tar --create --gzip --file="$target/$stem-media.tar.gz" --directory="$media" .
(cd "$target" && sha256sum "$stem.dump" "$stem-media.tar.gz" > "$stem.sha256")
echo "$stem"
