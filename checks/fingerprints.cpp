// Fingerprints: which products answered, from headers, cookies, bodies, DNS names and certificates.
// Markers are from the knowledge base's §2 table unless a comment names another source.
#include "checks/fingerprints.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "checks/catalogue.hpp"
#include "wire/http_response.hpp"
#include "wire/redact.hpp"

namespace wsprobe {
namespace {

namespace name {
constexpr std::string_view kAlb = "AWS ALB";
constexpr std::string_view kClb = "AWS CLB";
constexpr std::string_view kNlb = "AWS NLB";
constexpr std::string_view kElb = "AWS ELB (ALB or CLB)";
constexpr std::string_view kCloudFront = "CloudFront";
constexpr std::string_view kApiGateway = "AWS API Gateway";
constexpr std::string_view kCloudflare = "Cloudflare";
constexpr std::string_view kGcp = "GCP load balancer";
constexpr std::string_view kAppGateway = "Azure Application Gateway";
constexpr std::string_view kFrontDoor = "Azure Front Door";
constexpr std::string_view kAzureLb = "Azure Load Balancer";
constexpr std::string_view kTrafficManager = "Azure Traffic Manager";
constexpr std::string_view kAppService = "Azure App Service";
constexpr std::string_view kHeroku = "Heroku router";
constexpr std::string_view kNginx = "nginx";
constexpr std::string_view kIngressNginx = "ingress-nginx";
constexpr std::string_view kOpenResty = "OpenResty";
constexpr std::string_view kHaproxy = "HAProxy";
constexpr std::string_view kEnvoy = "Envoy";
constexpr std::string_view kTraefik = "Traefik";
constexpr std::string_view kSquid = "Squid";
constexpr std::string_view kTrafficServer = "Apache Traffic Server";
constexpr std::string_view kVarnish = "Varnish";
constexpr std::string_view kAkamai = "Akamai";
constexpr std::string_view kGo = "Go net/http";
constexpr std::string_view kGorilla = "gorilla/websocket";
}  // namespace name

struct Product {
  std::string_view name;
  std::string_view role;
  std::string_view vendor = {};       // the vendor:: label whose fixes apply; empty: none
  std::string_view also_vendor = {};  // a second label, for a name that covers two products
};

constexpr Product kProducts[] = {
    {name::kCloudFront, role::kCdn, vendor::kCloudFront},
    {name::kCloudflare, role::kCdn, vendor::kCloudflare},
    {name::kFrontDoor, role::kCdn, vendor::kAzureFrontDoor},
    {name::kAkamai, role::kCdn},
    {name::kApiGateway, role::kApiGateway, vendor::kApiGateway},
    {name::kAlb, role::kLoadBalancer, vendor::kAwsAlb},
    {name::kClb, role::kLoadBalancer, vendor::kAwsClb},
    {name::kElb, role::kLoadBalancer, vendor::kAwsAlb, vendor::kAwsClb},
    {name::kNlb, role::kLoadBalancer, vendor::kAwsNlb},
    {name::kGcp, role::kLoadBalancer, vendor::kGcp},
    {name::kAppGateway, role::kLoadBalancer, vendor::kAzureAppGateway},
    {name::kAzureLb, role::kLoadBalancer, vendor::kAzureLoadBalancer},
    {name::kTrafficManager, role::kLoadBalancer},
    {name::kAppService, role::kLoadBalancer},
    {name::kHeroku, role::kLoadBalancer},
    {name::kHaproxy, role::kLoadBalancer, vendor::kHaproxy},
    {name::kNginx, role::kProxy, vendor::kNginx},
    {name::kIngressNginx, role::kProxy, vendor::kNginx},
    {name::kOpenResty, role::kProxy, vendor::kNginx},
    {name::kEnvoy, role::kProxy, vendor::kEnvoy},
    {name::kTraefik, role::kProxy, vendor::kTraefik},
    {name::kSquid, role::kProxy, vendor::kSquid},
    {name::kTrafficServer, role::kProxy},
    {name::kVarnish, role::kProxy},
    {name::kGo, role::kServer},
    {name::kGorilla, role::kServer},
};

const Product* find_product(std::string_view product_name) {
  for (const auto& product : kProducts)
    if (product.name == product_name) return &product;
  return nullptr;
}

int role_rank(std::string_view role) {
  constexpr std::string_view kOrder[] = {role::kCdn, role::kApiGateway, role::kLoadBalancer, role::kProxy,
                                         role::kServer};
  for (int i = 0; i < 5; ++i)
    if (kOrder[i] == role) return i;
  return 5;
}

// certain < likely < possible in the enum: a lower value is stronger.
bool stronger(Confidence a, Confidence b) { return static_cast<int>(a) < static_cast<int>(b); }

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Lower case without ASCII whitespace: body markers then match across re-flowed lines, CRLF or LF
// line ends and indentation.
std::string squash(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool has(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

class Collector {
 public:
  // Adds `evidence` to the fingerprint named `product_name`, creating it if needed; the
  // strongest confidence seen wins.
  void add(std::string_view product_name, Confidence confidence, std::string evidence) {
    if (auto* found = find(product_name)) {
      if (stronger(confidence, found->confidence)) found->confidence = confidence;
      if (std::find(found->evidence.begin(), found->evidence.end(), evidence) == found->evidence.end())
        found->evidence.push_back(std::move(evidence));
      return;
    }
    const auto* product = find_product(product_name);
    Fingerprint fingerprint;
    fingerprint.name = std::string(product_name);
    fingerprint.role = std::string(product ? product->role : role::kServer);
    fingerprint.confidence = confidence;
    fingerprint.evidence.push_back(std::move(evidence));
    found_.push_back(std::move(fingerprint));
  }

  Fingerprint* find(std::string_view product_name) {
    for (auto& fingerprint : found_)
      if (fingerprint.name == product_name) return &fingerprint;
    return nullptr;
  }

  std::vector<Fingerprint> take() {
    std::stable_sort(found_.begin(), found_.end(), [](const Fingerprint& a, const Fingerprint& b) {
      return role_rank(a.role) < role_rank(b.role);
    });
    return std::move(found_);
  }

 private:
  std::vector<Fingerprint> found_;
};

// Server: product tokens (RFC 9110 §10.2.4: product *( RWS ( product / comment ) ), product =
// token ["/" version]), lower-cased, comments skipped: "Jetty(9.4.z)" -> "jetty".
std::vector<std::string> product_tokens(std::string_view value) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < value.size()) {
    const char c = value[i];
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (c == '(') {
      int depth = 0;
      for (; i < value.size(); ++i) {
        if (value[i] == '(') ++depth;
        if (value[i] == ')' && --depth == 0) {
          ++i;
          break;
        }
      }
      continue;
    }
    const auto start = i;
    while (i < value.size() && value[i] != ' ' && value[i] != '\t' && value[i] != '/' && value[i] != '(') ++i;
    if (i > start) out.push_back(lower(value.substr(start, i - start)));
    if (i < value.size() && value[i] == '/')
      while (i < value.size() && value[i] != ' ' && value[i] != '\t' && value[i] != '(') ++i;
  }
  return out;
}

struct ServerToken {
  std::string_view token;  // lower case
  std::string_view product;
};

// Product tokens that name a product the reports know. Beyond the knowledge base: the vendors'
// own default Server values (Apache Traffic Server "ATS", Akamai "AkamaiGHost").
constexpr ServerToken kServerTokens[] = {
    {"awselb", name::kAlb},
    {"cloudflare", name::kCloudflare},
    {"cloudfront", name::kCloudFront},
    {"nginx", name::kNginx},
    {"openresty", name::kOpenResty},
    {"envoy", name::kEnvoy},
    {"istio-envoy", name::kEnvoy},
    {"microsoft-azure-application-gateway", name::kAppGateway},
    {"squid", name::kSquid},
    {"ats", name::kTrafficServer},
    {"haproxy", name::kHaproxy},
    {"traefik", name::kTraefik},
    {"akamaighost", name::kAkamai},
};

// What an HTTP answer (the upgrade response or a follow-up's) says about who sent it.
void read_http(Collector& found, const std::vector<HttpHeader>& headers, std::string_view body,
               std::optional<int> status, const std::string& suffix) {
  const auto line = [&](const HttpHeader& header) {
    return header.name + ": " + redact_header_value(header.name, header.value) + suffix;
  };
  bool via_google = false;
  for (const auto& header : headers) {
    const auto field = lower(header.name);
    const auto value = lower(header.value);
    if (field == "server") {
      if (value.rfind("google frontend", 0) == 0) found.add(name::kGcp, Confidence::certain, line(header));
      for (const auto& token : product_tokens(header.value))
        for (const auto& known : kServerTokens)
          if (token == known.token) found.add(known.product, Confidence::certain, line(header));
    } else if (field == "via") {
      // RFC 9110 §7.6.3: Via = #( received-protocol RWS received-by [ RWS comment ] ).
      for (const auto& hop : split_list(value)) {
        const auto tokens = product_tokens(hop);  // ["1.1", received-by]
        const std::string received_by = tokens.size() >= 2 ? tokens[1] : "";
        if (ends_with(received_by, ".cloudfront.net") || has(hop, "(cloudfront)"))
          found.add(name::kCloudFront, Confidence::certain, line(header));
        if (received_by == "google") {
          via_google = true;
          found.add(name::kGcp, Confidence::certain, line(header));
        }
        // Heroku's router names itself "vegur" (devcenter.heroku.com, HTTP routing).
        if (received_by == "vegur") found.add(name::kHeroku, Confidence::certain, line(header));
        if (has(hop, "squid")) found.add(name::kSquid, Confidence::certain, line(header));
        if (has(hop, "varnish")) found.add(name::kVarnish, Confidence::certain, line(header));
        if (has(hop, "apachetrafficserver")) found.add(name::kTrafficServer, Confidence::certain, line(header));
      }
    } else if (field == "x-cache") {
      if (has(value, "from cloudfront")) found.add(name::kCloudFront, Confidence::certain, line(header));
      if (value == "config_nocache") found.add(name::kFrontDoor, Confidence::likely, line(header));
    } else if (field == "x-amz-cf-id" || field == "x-amz-cf-pop") {
      found.add(name::kCloudFront, Confidence::certain, line(header));
    } else if (field == "x-amz-apigw-id" || field == "apigw-requestid") {
      found.add(name::kApiGateway, Confidence::certain, line(header));
    } else if (field == "x-amzn-requestid" || field == "x-amzn-trace-id") {
      // Other AWS services send these too; x-amzn-RequestId is "unconf." in the knowledge base.
      found.add(name::kApiGateway, Confidence::possible, line(header));
    } else if (field == "cf-ray" || field == "cf-cache-status" || field == "cf-mitigated") {
      found.add(name::kCloudflare, Confidence::certain, line(header));
    } else if ((field == "nel" || field == "report-to") && has(value, "cf-nel")) {
      found.add(name::kCloudflare, Confidence::certain, line(header));
    } else if (field.rfind("x-azure-ref", 0) == 0) {
      found.add(name::kFrontDoor, Confidence::certain, line(header));
    } else if (field.rfind("x-envoy-", 0) == 0) {
      found.add(name::kEnvoy, Confidence::certain, line(header));
    } else if (field == "x-squid-error") {
      found.add(name::kSquid, Confidence::certain, line(header));
    } else if (field == "x-cloud-trace-context") {
      found.add(name::kGcp, Confidence::likely, line(header));
    } else if (field == "set-cookie") {
      const auto cookie = header.value.substr(0, header.value.find('='));
      const auto id = lower(cookie);
      const auto evidence = header.name + ": " + cookie + "=" + std::string(kRedacted) + suffix;
      // ALB stickiness and authentication cookies; AWSELB is the Classic ELB's.
      if (id == "awsalb" || id == "awsalbcors" || id == "awsalbtg" || id == "awsalbtgcors" ||
          id.rfind("awsalbapp-", 0) == 0 || id.rfind("awselbauthsessioncookie", 0) == 0)
        found.add(name::kAlb, Confidence::certain, evidence);
      else if (id == "awselb" || id == "awselbcors")
        found.add(name::kClb, Confidence::certain, evidence);
      // Vendors' documented cookie names: GCP's generated-cookie affinity (GCLB), Cloudflare's bot
      // management and load balancing cookies, Application Gateway's and App Service's affinity.
      else if (id == "gclb")
        found.add(name::kGcp, Confidence::certain, evidence);
      else if (id == "__cf_bm" || id == "__cflb" || id == "cf_clearance" || id == "__cfruid")
        found.add(name::kCloudflare, Confidence::certain, evidence);
      else if (id == "applicationgatewayaffinity" || id == "applicationgatewayaffinitycors")
        found.add(name::kAppGateway, Confidence::certain, evidence);
      else if (id == "arraffinity" || id == "arraffinitysamesite")
        found.add(name::kAppService, Confidence::certain, evidence);
      // ingress-nginx's default session-affinity cookie name (configurable, so only likely).
      else if (id == "ingresscookie")
        found.add(name::kIngressNginx, Confidence::likely, evidence);
    }
  }
  if (via_google)
    for (const auto& header : headers)
      if (iequals(header.name, "alt-svc") && has(lower(header.value), "h3"))
        found.add(name::kGcp, Confidence::certain, line(header));

  const int code = status.value_or(0);
  // gorilla/websocket answers a bad handshake with a 4xx carrying Sec-WebSocket-Version (RFC 6455
  // §4.4), written in Go's canonical form "Sec-Websocket-Version" (net/http CanonicalHeaderKey).
  if (code >= 400 && code < 500)
    for (const auto& header : headers)
      if (header.name == "Sec-Websocket-Version")
        found.add(name::kGorilla, Confidence::possible, line(header) + " (Go's header spelling on a " +
                                                            std::to_string(code) + ")");

  if (body.empty()) return;
  const auto text = squash(body);
  const auto body_line = [&](std::string_view marker) {
    return "body contains \"" + std::string(marker) + "\"" + suffix;
  };
  // Error-page tails: "<hr><center>nginx</center>" (with or without a version), OpenResty's and
  // Application Gateway's own.
  if (has(text, "<hr><center>nginx")) found.add(name::kNginx, Confidence::likely, body_line("<hr><center>nginx"));
  if (has(text, "<hr><center>openresty"))
    found.add(name::kOpenResty, Confidence::likely, body_line("<hr><center>openresty"));
  if (has(text, "<hr><center>microsoft-azure-application-gateway"))
    found.add(name::kAppGateway, Confidence::likely, body_line("<hr><center>Microsoft-Azure-Application-Gateway"));
  // ALB's own pages copy nginx's layout without its <hr><center> tail (502 = 122 bytes, 503 = 162).
  if (code >= 400 && has(text, "<center><h1>" + std::to_string(code)) && !has(text, "<hr><center>")) {
    const bool alb_size = (code == 502 && body.size() == 122) || (code == 503 && body.size() == 162);
    found.add(name::kAlb, alb_size ? Confidence::likely : Confidence::possible,
              "body: an nginx-style " + std::to_string(code) + " page without nginx's <hr><center> tail" +
                  (alb_size ? " (" + std::to_string(body.size()) + " bytes, as ALB sends)" : std::string()) + suffix);
  }
  if (has(text, "generatedbycloudfront(cloudfront)"))
    found.add(name::kCloudFront, Confidence::likely, body_line("Generated by cloudfront (CloudFront)"));
  else if (has(text, "therequestcouldnotbesatisfied"))
    found.add(name::kCloudFront, Confidence::possible, body_line("The request could not be satisfied"));
  if (has(text, "cloudflarerayid")) found.add(name::kCloudflare, Confidence::likely, body_line("Cloudflare Ray ID"));
  for (std::size_t at = text.find("|52"); at != std::string::npos; at = text.find("|52", at + 1))
    if (at + 4 < text.size() && text[at + 3] >= '0' && text[at + 3] <= '9' && text[at + 4] == ':') {
      found.add(name::kCloudflare, Confidence::likely, body_line("| 52x:") + " (a Cloudflare 52x title)");
      break;
    }
  if (has(text, "noserverisavailabletohandlethisrequest"))
    found.add(name::kHaproxy, Confidence::likely, body_line("No server is available to handle this request."));
  if (has(text, "theserverreturnedaninvalidorincompleteresponse"))
    found.add(name::kHaproxy, Confidence::likely, body_line("The server returned an invalid or incomplete response."));
  if (has(text, "theserverdidn") && has(text, "respondintime"))
    found.add(name::kHaproxy, Confidence::likely, body_line("The server didn't respond in time."));
  if (has(text, "upstreamconnecterrorordisconnect/resetbeforeheaders"))
    found.add(name::kEnvoy, Confidence::likely, body_line("upstream connect error or disconnect/reset before headers"));
  if (has(text, "nohealthyupstream"))  // "unconf." in the knowledge base
    found.add(name::kEnvoy, Confidence::possible, body_line("no healthy upstream"));
  if (has(text, "pleasetryagainin30seconds"))
    found.add(name::kGcp, Confidence::likely, body_line("Please try again in 30 seconds."));
  if (has(text, "ourservicesaren") && has(text, "availablerightnow"))
    found.add(name::kFrontDoor, Confidence::likely, body_line("Our services aren't available right now"));
  if (has(text, "(squid/")) found.add(name::kSquid, Confidence::likely, body_line("(squid/"));
  if (has(text, "clientsentanhttprequesttoanhttpsserver"))
    found.add(name::kGo, Confidence::likely, body_line("Client sent an HTTP request to an HTTPS server."));
  // gorilla/websocket's handshake errors (server.go) all start "websocket: ".
  for (const auto marker : {"websocket:notawebsockethandshake", "websocket:theclientisnotusingthewebsocketprotocol",
                            "websocket:unsupportedversion", "websocket:requestoriginnotallowed"})
    if (has(text, marker)) {
      found.add(name::kGorilla, Confidence::likely, body_line("websocket: ...") + " (gorilla/websocket's handshake error)");
      break;
    }
}

std::string without_trailing_dot(std::string host) {
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

// An AWS region-scoped name: "<label>.<region>.amazonaws.com" (".cn" in China).
bool region_then_amazonaws(std::string_view rest) {
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const auto tail = rest.substr(dot);
  return tail == ".amazonaws.com" || tail == ".amazonaws.com.cn";
}

// DNS names the providers hand out: ALB and CLB "<name>-<id>.<region>.elb.amazonaws.com", NLB
// "<name>-<id>.elb.<region>.amazonaws.com" (AWS ELB user guides), and the services' own domains.
void read_dns_name(Collector& found, const std::string& host, const std::string& evidence) {
  const auto n = lower(without_trailing_dot(host));
  if (ends_with(n, ".elb.amazonaws.com") || ends_with(n, ".elb.amazonaws.com.cn")) {
    // The same form for both: the HTTP marks, when there are any, tell which.
    if (const auto* alb = found.find(name::kAlb)) found.add(name::kAlb, alb->confidence, evidence);
    else if (const auto* clb = found.find(name::kClb)) found.add(name::kClb, clb->confidence, evidence);
    else found.add(name::kElb, Confidence::likely, evidence);
    return;
  }
  if (const auto at = n.find(".elb."); at != std::string::npos && region_then_amazonaws(std::string_view(n).substr(at + 5))) {
    found.add(name::kNlb, Confidence::likely, evidence);
    return;
  }
  if (has(n, ".execute-api.") && (ends_with(n, ".amazonaws.com") || ends_with(n, ".amazonaws.com.cn")))
    found.add(name::kApiGateway, Confidence::likely, evidence);
  else if (ends_with(n, ".cloudfront.net"))
    found.add(name::kCloudFront, Confidence::likely, evidence);
  else if (ends_with(n, ".cdn.cloudflare.net"))
    found.add(name::kCloudflare, Confidence::likely, evidence);
  else if (ends_with(n, ".azurefd.net"))
    found.add(name::kFrontDoor, Confidence::likely, evidence);
  else if (ends_with(n, ".trafficmanager.net"))
    found.add(name::kTrafficManager, Confidence::likely, evidence + " (DNS-level routing: it answers no traffic)");
  else if (ends_with(n, ".cloudapp.azure.com"))
    found.add(name::kAzureLb, Confidence::possible,
              evidence + " (a public IP's DNS label: an Azure Load Balancer, an Application Gateway or a VM)");
  else if (ends_with(n, ".azurewebsites.net"))
    found.add(name::kAppService, Confidence::likely, evidence);
  else if (ends_with(n, ".herokuapp.com") || ends_with(n, ".herokudns.com"))
    found.add(name::kHeroku, Confidence::likely, evidence);
  else if (ends_with(n, ".run.app") || ends_with(n, ".appspot.com"))
    found.add(name::kGcp, Confidence::likely, evidence + " (served through Google's front end)");
}

// ACM's intermediates: "CN=Amazon RSA 2048 M01..M04", "Amazon RSA 4096 M..", "Amazon ECDSA 256/384 M..".
bool is_acm_issuer(std::string_view dn) {
  const auto n = lower(dn);
  return has(n, "cn=amazon rsa ") || has(n, "cn=amazon ecdsa ");
}

void read_certificates(Collector& found, const TlsObservation& tls) {
  if (tls.peer_chain.empty()) return;
  const auto& leaf = tls.peer_chain.front();
  std::optional<std::string> acm;
  if (is_acm_issuer(leaf.issuer)) acm = "certificate issuer: " + leaf.issuer;
  for (std::size_t i = 1; !acm && i < tls.peer_chain.size(); ++i)
    if (is_acm_issuer(tls.peer_chain[i].subject)) acm = "certificate chain: " + tls.peer_chain[i].subject;
  if (acm) {
    // An ACM certificate is served by an AWS TLS terminator: the one the HTTP marks name, else,
    // with none, possibly an NLB TLS listener (the only one that leaves no HTTP mark). Exportable
    // ACM certificates (since 2025-06) make this no proof.
    bool attached = false;
    for (const auto product : {name::kCloudFront, name::kApiGateway, name::kAlb, name::kClb, name::kElb, name::kNlb})
      if (const auto* fingerprint = found.find(product)) {
        found.add(product, fingerprint->confidence, *acm + " (AWS Certificate Manager)");
        attached = true;
        break;
      }
    if (!attached)
      found.add(name::kNlb, Confidence::possible,
                *acm + " (AWS Certificate Manager; no ALB, CloudFront or API Gateway marks: possibly an NLB TLS "
                       "listener)");
  }
  for (const auto* dn : {&leaf.subject, &leaf.issuer}) {
    const auto n = lower(*dn);
    if (has(n, "kubernetes ingress controller fake certificate"))
      found.add(name::kIngressNginx, Confidence::likely, "certificate: " + *dn + " (ingress-nginx's default)");
    if (has(n, "traefik default cert"))
      found.add(name::kTraefik, Confidence::likely, "certificate: " + *dn + " (Traefik's default)");
  }
}

}  // namespace

std::vector<Fingerprint> fingerprint(const TargetResult& result) {
  Collector found;
  const auto& observed = result.observed;
  if (observed.upgrade)
    read_http(found, observed.upgrade->headers, observed.upgrade->body, observed.upgrade->status_code, "");
  for (const auto& followup : result.followups)
    if (!followup.headers.empty() || !followup.body.empty())
      read_http(found, followup.headers, followup.body, followup.status_code,
                " (follow-up " + std::string(to_string(followup.kind)) + ")");
  if (observed.dns) {
    for (const auto& alias : observed.dns->cname_chain) read_dns_name(found, alias, "CNAME " + alias);
    if (!observed.dns->query_name.empty())
      read_dns_name(found, observed.dns->query_name, "host name " + observed.dns->query_name);
  }
  if (observed.tls) read_certificates(found, *observed.tls);
  return found.take();
}

std::vector<std::string_view> vendors_of(std::string_view fingerprint_name) {
  std::vector<std::string_view> out;
  if (const auto* product = find_product(fingerprint_name)) {
    if (!product->vendor.empty()) out.push_back(product->vendor);
    if (!product->also_vendor.empty()) out.push_back(product->also_vendor);
  }
  return out;
}

}  // namespace wsprobe
