#include "support/schema_validation.hpp"

#include <fstream>
#include <memory>
#include <stdexcept>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace wsprobe::testing {
namespace {

constexpr const char* kSchemaPath = WSPROBE_SOURCE_DIR "/schema/wsprobe-report.schema.json";

nlohmann::json load_schema_document() {
  std::ifstream in(kSchemaPath);
  if (!in) throw std::runtime_error(std::string("cannot open ") + kSchemaPath);
  return nlohmann::json::parse(in);
}

// The schema document and its compiled form, or the reason there are none.
struct LoadedSchema {
  nlohmann::json document;
  std::unique_ptr<valijson::Schema> schema;
  std::string error;
};

const LoadedSchema& loaded_schema() {
  static const LoadedSchema loaded = [] {
    LoadedSchema out;
    try {
      out.document = load_schema_document();
      auto schema = std::make_unique<valijson::Schema>();
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      const valijson::adapters::NlohmannJsonAdapter adapter(out.document);
      parser.populateSchema(adapter, *schema);
      out.schema = std::move(schema);
    } catch (const std::exception& e) {
      out.error = std::string("schema ") + kSchemaPath + " unusable: " + e.what();
    }
    return out;
  }();
  return loaded;
}

std::string path_of(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& part : context) out += part;
  return out;
}

}  // namespace

const nlohmann::json& report_schema() { return loaded_schema().document; }

std::vector<std::string> schema_errors(const nlohmann::json& document) {
  const auto& loaded = loaded_schema();
  if (!loaded.schema) return {loaded.error};

  valijson::Validator validator;
  valijson::ValidationResults results;
  const valijson::adapters::NlohmannJsonAdapter target(document);
  if (validator.validate(*loaded.schema, target, &results)) return {};

  std::vector<std::string> errors;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) errors.push_back(path_of(error.context) + ": " + error.description);
  if (errors.empty()) errors.push_back("invalid (valijson gave no detail)");
  return errors;
}

}  // namespace wsprobe::testing
