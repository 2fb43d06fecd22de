; TypeScript's additions, layered after map.scm (the TypeScript grammar extends JavaScript's):
; type names are names too.
(type_identifier) @name
