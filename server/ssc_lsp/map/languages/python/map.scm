; Python captures for the map's extractor. Capture names say what they capture;
; extract.py dispatches on them. Scopes come from @def.* and @scope.* byte ranges.

; -- definitions and scopes ----------------------------------------------------
(function_definition
  name: (identifier) @def.function.name
  parameters: (parameters) @def.function.params) @def.function
(class_definition
  name: (identifier) @def.class.name
  body: (block) @def.class.body) @def.class
(lambda) @scope.lambda
(list_comprehension) @scope.comprehension
(set_comprehension) @scope.comprehension
(dictionary_comprehension) @scope.comprehension
(generator_expression) @scope.comprehension

; -- bindings ------------------------------------------------------------------
(assignment left: (identifier) @bind.assign)
(assignment left: (pattern_list (identifier) @bind.assign))
(assignment left: (tuple_pattern (identifier) @bind.assign))
(assignment left: (list_pattern (identifier) @bind.assign))
(assignment left: (pattern_list (list_splat_pattern (identifier) @bind.assign)))
(for_statement left: (identifier) @bind.for)
(for_statement left: (pattern_list (identifier) @bind.for))
(for_statement left: (tuple_pattern (identifier) @bind.for))
(for_in_clause left: (identifier) @bind.comprehension)
(for_in_clause left: (pattern_list (identifier) @bind.comprehension))
(for_in_clause left: (tuple_pattern (identifier) @bind.comprehension))
(as_pattern alias: (as_pattern_target (identifier) @bind.as))
(named_expression name: (identifier) @bind.walrus)
(global_statement (identifier) @decl.global)
(nonlocal_statement (identifier) @decl.nonlocal)
(assignment
  left: (attribute object: (identifier) @bind.self.object
                   attribute: (identifier) @bind.self.attribute))

; -- imports (their structure is read in extract.py) -----------------------------
(import_statement) @import
(import_from_statement) @import.from
(future_import_statement) @import.future

; -- uses ----------------------------------------------------------------------
(call function: (_) @call.function arguments: (argument_list) @call.arguments)
(attribute object: (_) @attribute.object attribute: (identifier) @attribute.name)
(keyword_argument name: (identifier) @keyword.name)
(identifier) @name
