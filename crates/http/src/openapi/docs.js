// Renders openapi.json as a reference page. Same-origin and free of inline code, so it runs
// under the server's CSP (script-src 'self'; style-src 'self'). Text from the document is
// only ever inserted as text (textContent), never parsed as markup.
"use strict";

(function () {
  var METHODS = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];
  var doc = null;

  // el("p", {className: "x"}, "text", node, ...): a new element with text or node children.
  function el(tag, props) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "className") node.className = props[key];
      else node.setAttribute(key, props[key]);
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(node, c); });
    else if (typeof child === "string") node.appendChild(document.createTextNode(child));
    else node.appendChild(child);
  }

  // Descriptions use a little Markdown: paragraphs and `code`. Nothing else is interpreted.
  function inline(text) {
    return String(text || "").replace(/\n/g, " ").split("`").map(function (part, i) {
      return i % 2 === 1 ? el("code", null, part) : part;
    });
  }

  function prose(text, className) {
    if (!text) return null;
    return String(text).split(/\n\s*\n/).map(function (paragraph) {
      return el("p", { className: className || "description" }, inline(paragraph));
    });
  }

  function anchor(kind, name) {
    return kind + "-" + String(name).replace(/[^A-Za-z0-9_-]/g, "_");
  }

  function refName(ref) {
    return ref.substring(ref.lastIndexOf("/") + 1);
  }

  function resolve(ref) {
    var node = doc;
    ref.replace(/^#\//, "").split("/").forEach(function (part) {
      node = node ? node[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    });
    return node;
  }

  // ---- Schemas ----

  function isNull(schema) {
    return schema && schema.type === "null";
  }

  function constraints(schema) {
    var out = [];
    if (schema.format) out.push(schema.format);
    if (schema.minimum !== undefined) out.push("≥ " + schema.minimum);
    if (schema.maximum !== undefined) out.push("≤ " + schema.maximum);
    if (schema.minLength !== undefined) out.push("length ≥ " + schema.minLength);
    if (schema.maxLength !== undefined) out.push("length ≤ " + schema.maxLength);
    if (schema.minItems !== undefined) out.push("items ≥ " + schema.minItems);
    if (schema.maxItems !== undefined) out.push("items ≤ " + schema.maxItems);
    if (schema.default !== undefined) out.push("default " + JSON.stringify(schema.default));
    if (schema.example !== undefined) out.push("e.g. " + JSON.stringify(schema.example));
    return out.length ? el("span", { className: "constraints" }, " (" + out.join(", ") + ")") : null;
  }

  // A short inline description of a schema's type; objects with properties become a table.
  function typeView(schema, depth) {
    if (!schema) return el("span", { className: "type" }, "any");
    if (schema.$ref) {
      var name = refName(schema.$ref);
      return el("a", { href: "#" + anchor("schema", name), className: "type" }, name);
    }
    var choices = schema.oneOf || schema.anyOf;
    if (choices) {
      var nullable = choices.some(isNull);
      var others = choices.filter(function (c) { return !isNull(c); });
      var parts = [];
      others.forEach(function (c, i) {
        if (i > 0) parts.push(" or ");
        parts.push(typeView(c, depth));
      });
      if (nullable) parts.push(el("span", { className: "type" }, " or null"));
      return el("span", null, parts);
    }
    if (schema.allOf) {
      return el("span", null, schema.allOf.map(function (c, i) {
        return [i > 0 ? " and " : "", typeView(c, depth)];
      }));
    }
    var types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    var main = types.filter(function (t) { return t !== "null"; });
    var suffix = types.indexOf("null") >= 0 ? " or null" : "";
    if (main[0] === "array") {
      return el("span", null, el("span", { className: "type" }, "array of "), typeView(schema.items, depth), suffix);
    }
    if (typeof schema.additionalProperties === "object" && !schema.properties) {
      return el("span", null,
        el("span", { className: "type" }, "map of "), typeView(schema.additionalProperties, depth),
        schema.propertyNames ? [el("span", { className: "type" }, " by "), typeView(schema.propertyNames, depth)] : null,
        suffix);
    }
    if (schema.properties && depth < 4) {
      return el("div", { className: "nested" }, el("span", { className: "type" }, "object" + suffix), propertiesTable(schema, depth + 1));
    }
    var label = main.length ? main.join(" | ") : "any";
    var view = [el("span", { className: "type" }, label + suffix)];
    if (schema.enum) {
      view.push(": ");
      schema.enum.forEach(function (value, i) {
        if (i > 0) view.push(", ");
        view.push(el("code", null, JSON.stringify(value)));
      });
    }
    view.push(constraints(schema));
    return el("span", null, view);
  }

  function propertiesTable(schema, depth) {
    var required = schema.required || [];
    var rows = Object.keys(schema.properties).map(function (name) {
      var property = schema.properties[name];
      var description = property.description;
      // `oneOf: [{$ref, description}, null]` keeps the property's description on the branch.
      if (!description && property.oneOf) {
        property.oneOf.forEach(function (c) { description = description || c.description; });
      }
      return el("tr", null,
        el("td", { className: "name" }, el("code", null, name), " ",
          required.indexOf(name) >= 0
            ? el("span", { className: "required" }, "required")
            : el("span", { className: "optional" }, "optional")),
        el("td", null, typeView(property, depth)),
        el("td", null, prose(description)));
    });
    return el("table", null,
      el("thead", null, el("tr", null, el("th", null, "Field"), el("th", null, "Type"), el("th", null, "Description"))),
      el("tbody", null, rows));
  }

  function schemaBlock(schema) {
    if (!schema) return null;
    if (schema.properties) return propertiesTable(schema, 0);
    return el("p", null, typeView(schema, 0));
  }

  // ---- Operations ----

  function contentSchemas(content) {
    return Object.keys(content || {}).map(function (type) {
      var media = content[type].$ref ? resolve(content[type].$ref) : content[type];
      return el("div", null, el("span", { className: "constraints" }, type + ": "), typeView(media && media.schema, 0));
    });
  }

  function parametersView(parameters) {
    if (!parameters || !parameters.length) return null;
    return [el("h4", null, "Parameters"), el("table", null,
      el("thead", null, el("tr", null, el("th", null, "Name"), el("th", null, "In"), el("th", null, "Type"), el("th", null, "Description"))),
      el("tbody", null, parameters.map(function (p) {
        p = p.$ref ? resolve(p.$ref) : p;
        return el("tr", null,
          el("td", { className: "name" }, el("code", null, p.name), " ",
            p.required ? el("span", { className: "required" }, "required") : el("span", { className: "optional" }, "optional")),
          el("td", null, p.in),
          el("td", null, typeView(p.schema, 0)),
          el("td", null, prose(p.description)));
      })))];
  }

  function requestBodyView(body) {
    if (!body) return null;
    body = body.$ref ? resolve(body.$ref) : body;
    return [el("h4", null, "Request body " + (body.required ? "(required)" : "(optional)")),
      prose(body.description), contentSchemas(body.content)];
  }

  function responsesView(responses) {
    var codes = Object.keys(responses || {}).sort();
    return [el("h4", null, "Responses"), el("table", null,
      el("thead", null, el("tr", null, el("th", null, "Status"), el("th", null, "Description"), el("th", null, "Body"))),
      el("tbody", null, codes.map(function (code) {
        var response = responses[code];
        var shared = response.$ref ? refName(response.$ref) : null;
        if (shared) response = resolve(response.$ref) || {};
        var headers = Object.keys(response.headers || {});
        return el("tr", null,
          el("td", { className: "status-" + code.charAt(0) }, code),
          el("td", null, prose(response.description),
            headers.length ? el("p", { className: "constraints" }, "Headers: " + headers.join(", ")) : null),
          el("td", null, contentSchemas(response.content)));
      })))];
  }

  function operationView(path, method, op) {
    var secured = (op.security || doc.security || []).length > 0;
    return el("article", { className: "operation", id: anchor("op", op.operationId || method + path) },
      el("header", null,
        el("span", { className: "method method-" + method }, method.toUpperCase()),
        el("span", { className: "path" }, path),
        el("h3", null, inline(op.summary)),
        secured ? el("span", { className: "lock" }, "requires a bearer token") : null),
      el("div", { className: "body" },
        prose(op.description),
        parametersView(op.parameters),
        requestBodyView(op.requestBody),
        responsesView(op.responses)));
  }

  // ---- Page ----

  function operationsByTag() {
    var groups = {};
    var order = (doc.tags || []).map(function (t) { return t.name; });
    Object.keys(doc.paths || {}).forEach(function (path) {
      METHODS.forEach(function (method) {
        var op = doc.paths[path][method];
        if (!op) return;
        var tag = (op.tags && op.tags[0]) || "other";
        if (order.indexOf(tag) < 0) order.push(tag);
        (groups[tag] = groups[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    return order.filter(function (t) { return groups[t]; }).map(function (t) {
      var info = (doc.tags || []).filter(function (x) { return x.name === t; })[0] || {};
      return { name: t, description: info.description, operations: groups[t] };
    });
  }

  function render(loaded) {
    doc = loaded;
    var info = doc.info || {};
    document.title = info.title || document.title;
    document.getElementById("title").textContent = info.title || "API";
    document.getElementById("version").textContent = "version " + (info.version || "?") + " · OpenAPI " + (doc.openapi || "?");

    var content = document.getElementById("content");
    var toc = document.getElementById("toc");
    content.textContent = "";
    toc.textContent = "";

    var schemes = (doc.components && doc.components.securitySchemes) || {};
    content.appendChild(el("section", { className: "intro" },
      prose(info.description),
      Object.keys(schemes).map(function (name) {
        var s = schemes[name];
        return el("p", null, "Authentication (", el("code", null, name), "): ",
          s.type === "http" ? "HTTP " + s.scheme + (s.bearerFormat ? " (" + s.bearerFormat + ")" : "") : s.type,
          s.description ? ". " + s.description + "." : "");
      })));

    operationsByTag().forEach(function (group) {
      var list = el("ul");
      toc.appendChild(el("h2", null, group.name));
      toc.appendChild(list);
      content.appendChild(el("section", { className: "tag", id: anchor("tag", group.name) },
        el("h2", null, group.name),
        prose(group.description, "tag-description"),
        group.operations.map(function (o) {
          var view = operationView(o.path, o.method, o.op);
          list.appendChild(el("li", null, el("a", { href: "#" + view.id },
            el("span", { className: "method method-" + o.method }, o.method.toUpperCase()), " ", inline(o.op.summary || o.path))));
          return view;
        })));
    });

    var schemas = (doc.components && doc.components.schemas) || {};
    var names = Object.keys(schemas).sort();
    if (names.length) {
      var list = el("ul");
      toc.appendChild(el("h2", null, "schemas"));
      toc.appendChild(list);
      content.appendChild(el("section", { className: "tag", id: "schemas" },
        el("h2", null, "Schemas"),
        names.map(function (name) {
          list.appendChild(el("li", null, el("a", { href: "#" + anchor("schema", name) }, name)));
          var schema = schemas[name];
          return el("section", { className: "schema", id: anchor("schema", name) },
            el("h3", null, name), prose(schema.description), schemaBlock(schema));
        })));
    }
    if (location.hash) {
      var target = document.getElementById(location.hash.substring(1));
      if (target) target.scrollIntoView();
    }
  }

  function fail(error) {
    var status = document.getElementById("status");
    status.className = "error";
    status.textContent = "Could not load openapi.json: " + error.message;
  }

  document.addEventListener("DOMContentLoaded", function () {
    fetch("openapi.json", { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(render)
      .catch(fail);
  });
})();
