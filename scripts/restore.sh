#!/usr/bin/env bash
# Restore a KispFam backup made by scripts/backup.sh into an EMPTY database and an empty
# (or new) media directory:
#
#   createdb kispfam_restored
#   DATABASE_URL=postgres://kispfam@db/kispfam_restored MEDIA_ROOT=/srv/kispfam/uploads \
#     scripts/restore.sh /var/backups/kispfam/kispfam-20261125T020000Z
#
# The argument is the name stem that backup.sh printed (directory included). The
# checksums are verified first; a database that already holds tables is refused, so that
# a restore never mixes with (or overwrites) live data. Afterwards run
# `manage.py migrate` (a no-op for a backup of the same release) and start the services.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
stem="${1:?usage: $0 BACKUP_STEM (e.g. /var/backups/kispfam/kispfam-20261125T020000Z)}"
: "${DATABASE_URL:?DATABASE_URL must name the (empty) PostgreSQL database to restore into}"
media="${MEDIA_ROOT:-$repo/var/uploads}"

(cd "$(dirname "$stem")" && sha256sum --check --quiet "$(basename "$stem").sha256")

tables="$(psql --dbname="$DATABASE_URL" --tuples-only --no-align --command \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: the database already holds $tables table(s); restore into an empty one" >&2
  exit 3
fi
if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  echo "restore.sh: $media is not empty; restore the media into an empty directory" >&2
  exit 3
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$stem.dump"
mkdir -p "$media"
tar --extract --gzip --file="$stem-media.tar.gz" --directory="$media"
echo "restored $(basename "$stem") into the database and $media"
