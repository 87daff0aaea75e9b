//! Two corrections applied to the generated document, so that route authors can write the
//! natural annotations (`body = Success<HomeBody>`, `content = Option<CreateBody>`):
//!
//! - utoipa inlines the type argument of a generic schema, so every `Success<T>` would repeat
//!   the whole of `T`. Any inlined copy of a component schema becomes a `$ref` to it.
//! - An `Option<T>` request body means "the body may be left out", never "the body may be JSON
//!   `null`" (no handler accepts `null`): it becomes an optional body of schema `T`.

use serde_json::Value;
use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Required};

pub(super) struct Tidy;

impl Modify for Tidy {
    fn modify(&self, openapi: &mut OpenApi) {
        let named = named_schemas(openapi);
        if let Some(components) = openapi.components.as_mut() {
            for schema in components.schemas.values_mut() {
                // A component's own definition stays; only what it contains is replaced.
                if let RefOr::T(schema) = schema {
                    reference_children(schema, &named);
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                optional_body(operation);
                for_each_schema(operation, &mut |schema| reference(schema, &named));
            }
        }
    }
}

/// Every component schema with its JSON form, to recognise inlined copies.
fn named_schemas(openapi: &OpenApi) -> Vec<(String, Value)> {
    let Some(components) = openapi.components.as_ref() else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            RefOr::T(schema) => serde_json::to_value(schema)
                .ok()
                .map(|json| (name.clone(), json)),
            RefOr::Ref(_) => None,
        })
        .collect()
}

fn reference(node: &mut RefOr<Schema>, named: &[(String, Value)]) {
    let RefOr::T(schema) = node else {
        return;
    };
    let json = serde_json::to_value(&*schema).ok();
    if let Some((name, _)) = named.iter().find(|(_, v)| Some(v) == json.as_ref()) {
        *node = RefOr::Ref(Ref::from_schema_name(name.clone()));
        return;
    }
    reference_children(schema, named);
}

fn reference_children(schema: &mut Schema, named: &[(String, Value)]) {
    match schema {
        Schema::Object(object) => {
            for property in object.properties.values_mut() {
                reference(property, named);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                reference(items, named);
            }
        }
        Schema::OneOf(one_of) => one_of
            .items
            .iter_mut()
            .for_each(|item| reference(item, named)),
        Schema::AllOf(all_of) => all_of
            .items
            .iter_mut()
            .for_each(|item| reference(item, named)),
        Schema::AnyOf(any_of) => any_of
            .items
            .iter_mut()
            .for_each(|item| reference(item, named)),
        _ => {}
    }
}

/// The schemas of an operation's parameters, request body and responses.
fn for_each_schema(operation: &mut Operation, f: &mut impl FnMut(&mut RefOr<Schema>)) {
    let mut content = |content: &mut RefOr<Content>| {
        if let RefOr::T(Content {
            schema: Some(schema),
            ..
        }) = content
        {
            f(schema);
        }
    };
    if let Some(RefOr::T(body)) = operation.request_body.as_mut() {
        body.content.values_mut().for_each(&mut content);
    }
    for response in operation.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            response.content.values_mut().for_each(&mut content);
        }
    }
}

/// `oneOf: [T, null]` as a request body becomes an optional body of `T`.
fn optional_body(operation: &mut Operation) {
    let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
        return;
    };
    let mut unwrapped = false;
    for content in body.content.values_mut() {
        let RefOr::T(Content {
            schema: Some(schema),
            ..
        }) = content
        else {
            continue;
        };
        let RefOr::T(Schema::OneOf(one_of)) = schema else {
            continue;
        };
        let (nulls, others): (Vec<_>, Vec<_>) = one_of.items.iter().partition(|item| {
            matches!(item, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
        });
        if nulls.len() == 1 && others.len() == 1 {
            let inner = others[0].clone();
            *schema = inner;
            unwrapped = true;
        }
    }
    if unwrapped {
        body.required = Some(Required::False);
    }
}
