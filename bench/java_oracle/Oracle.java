import com.sun.source.tree.*;
import com.sun.source.util.*;
import javax.lang.model.element.*;
import javax.tools.*;
import java.io.*;
import java.nio.file.*;
import java.util.*;

/**
 * The definition oracle for bench/java_oracle.py: javac attributes the given sources (as part of
 * the module named by --patch-module when given) and prints, for every identifier and member
 * select whose element is declared in one of the given files, a tab-separated line
 * "use-file, use-line, use-col, decl-file, decl-line" (lines 1-based, columns 0-based chars),
 * and for elements declared elsewhere "use-file, use-line, use-col, -, -".
 */
public class Oracle {
    public static void main(String[] args) throws Exception {
        List<String> opts = new ArrayList<>();
        List<File> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) { opts.add(args[i]); opts.add(args[++i]); }
            else files.add(new File(args[i]));
        }
        opts.add("-proc:none");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager fm = javac.getStandardFileManager(null, null, null);
        JavacTask task = (JavacTask) javac.getTask(null, fm, d -> {}, opts, null, fm.getJavaFileObjectsFromFiles(files));
        Iterable<? extends CompilationUnitTree> units = task.parse();
        task.analyze();
        Trees trees = Trees.instance(task);
        SourcePositions pos = trees.getSourcePositions();
        Set<String> ours = new HashSet<>();
        for (File f : files) ours.add(f.getCanonicalPath());
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out), false, "UTF-8");
        for (CompilationUnitTree cu : units) {
            String path = new File(cu.getSourceFile().toUri()).getCanonicalPath();
            LineMap lines = cu.getLineMap();
            new TreePathScanner<Void, Void>() {
                void emit(Tree t, long at) {
                    Element e = trees.getElement(getCurrentPath());
                    if (e == null || at < 0) return;
                    String where = "-\t-";
                    TreePath decl = trees.getPath(e);
                    if (decl != null) {
                        String dpath;
                        try { dpath = new File(decl.getCompilationUnit().getSourceFile().toUri()).getCanonicalPath(); }
                        catch (IOException x) { return; }
                        if (ours.contains(dpath)) {
                            long np = namePos(decl, e);
                            if (np >= 0) where = dpath + "\t" + decl.getCompilationUnit().getLineMap().getLineNumber(np);
                        }
                    }
                    out.println(path + "\t" + lines.getLineNumber(at) + "\t" + (lines.getColumnNumber(at) - 1) + "\t" + where);
                }
                long namePos(TreePath decl, Element e) {
                    Tree leaf = decl.getLeaf();
                    CompilationUnitTree dcu = decl.getCompilationUnit();
                    String name = e.getKind() == ElementKind.CONSTRUCTOR ? e.getEnclosingElement().getSimpleName().toString()
                            : e.getSimpleName().toString();
                    long from = pos.getStartPosition(dcu, leaf);
                    if (System.getenv("ORACLE_DEBUG") != null && e.getKind() == ElementKind.ENUM_CONSTANT)
                        System.err.println(name + " " + from + " " + pos.getEndPosition(dcu, leaf));
                    Tree after = leaf instanceof ClassTree ? ((ClassTree) leaf).getModifiers()
                            : leaf instanceof MethodTree ? (((MethodTree) leaf).getReturnType() != null
                                    ? ((MethodTree) leaf).getReturnType() : ((MethodTree) leaf).getModifiers())
                            : leaf instanceof VariableTree ? ((VariableTree) leaf).getType() : null;
                    // a variable's name from its type's start: `int a[]` ends its type after the name
                    if (e.getKind() == ElementKind.ENUM_CONSTANT) after = null;  // its type tree is synthetic
                    if (after != null) from = Math.max(from, leaf instanceof VariableTree
                            ? pos.getStartPosition(dcu, after) + 1 : pos.getEndPosition(dcu, after));
                    try {
                        String text = dcu.getSourceFile().getCharContent(true).toString();
                        int i = text.indexOf(name, (int) Math.max(from, 0));
                        while (i >= 0 && ((i > 0 && Character.isJavaIdentifierPart(text.charAt(i - 1)))
                                || (i + name.length() < text.length() && Character.isJavaIdentifierPart(text.charAt(i + name.length())))))
                            i = text.indexOf(name, i + 1);
                        return i;
                    } catch (IOException x) { return -1; }
                }
                @Override public Void visitIdentifier(IdentifierTree t, Void v) {
                    emit(t, pos.getStartPosition(getCurrentPath().getCompilationUnit(), t));
                    return super.visitIdentifier(t, v);
                }
                @Override public Void visitMemberSelect(MemberSelectTree t, Void v) {
                    long end = pos.getEndPosition(getCurrentPath().getCompilationUnit(), t);
                    emit(t, end < 0 ? -1 : end - t.getIdentifier().length());
                    return super.visitMemberSelect(t, v);
                }
            }.scan(new TreePath(cu), null);
        }
        out.flush();
    }
}
