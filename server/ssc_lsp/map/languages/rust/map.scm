; Rust: every top-level item of a file (extract.py walks each one; nested items with it)
(source_file (_) @item)
