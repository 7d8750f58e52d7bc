// The model document (docs/model-format.md): the one validator both front
// ends call on a parsed file before anything is built from it. It checks the
// schema, version, types, finite values, positive scales, the shapes against
// each other and against sane limits, and the class count against the
// outputs; errors (std::invalid_argument) name the key. Nothing is
// allocated from a size the document claims: every array's length is its
// actual number of values, checked against the shapes before any network is
// made.
#pragma once

#include <cstdint>
#include <string>

#include "scoresactivation/json_value.hpp"
#include "scoresactivation/model_state.hpp"
#include "scoresactivation/param_spec.hpp"
#include "scoresactivation/params.hpp"
#include "scoresactivation/senn_network.hpp"
#include "scoresactivation/sequence_network.hpp"

namespace scoresactivation {

struct ModelDocument {
  int format_version = 0;
  std::string task;             // "classification" or "regression"
  std::string estimator;        // ScoresActivation[Sequence]Classifier / ...Regressor, SENN...
  bool sequence = false;        // a sequence model (format version 3 on)
  bool senn = false;            // a SENN model (format version 4 on)
  std::string library_version;  // "" when the document has none
  // Every parameter the front ends take (the core's, plus random_state,
  // n_threads and verbose), checked, with the values a version-1 document
  // implies for the params it predates; unknown params are dropped.
  JsonValue params;
  Params core_params;  // the same, as the core's Params (n_threads: 1; front ends resolve it)
  SequenceParams sequence_params;  // a sequence model's own params (defaults otherwise)
  SennParams senn_params;          // a SENN model's own params (defaults otherwise)
  std::uint64_t seed = 0;
  JsonValue feature_names;  // null, or n_features strings
  // null, or the input variables of a tabular model (format version 5 on):
  // objects {"name": string, "levels": null (numeric, one column) or k >= 1
  // distinct strings (categorical, k one-hot columns)}, in column order;
  // their widths sum to n_features and are the state's score groups.
  JsonValue variables;
  JsonValue formula;        // null, or the R formula the model was fitted with (text)
  JsonValue classes;        // null (regression), or n_outputs distinct labels of one JSON type
  ModelState state;         // checked as check_state (check_sequence_state, check_senn_state) does
};

ModelDocument read_model_document(const JsonValue& document);

// What a front end hands over to write a document: the fitted model and the
// values only it knows (labels, names, its own params).
struct ModelDocumentParts {
  ModelFamily family = ModelFamily::tabular;
  ParamSet params;       // the family's hyperparameters (front-end ones ignored)
  JsonValue front_end_params = JsonValue::make_object();  // random_state, n_threads, verbose, as given
  std::uint64_t seed = 0;
  ModelState state;
  JsonValue feature_names;  // null, or n_features strings
  JsonValue variables;      // null, or the input variables (see ModelDocument)
  JsonValue formula;        // null, or the R formula's text
  JsonValue classes;        // null (regression), or n_outputs labels
  std::string library_version;
};

// The document of docs/model-format.md in this library's format version,
// laid out in the documented key order (arrays sorted by name). Checked by
// read_model_document before it is returned, so no front end can write a
// document it could not read (std::invalid_argument naming the key).
JsonValue write_model_document(const ModelDocumentParts& parts);

}  // namespace scoresactivation
