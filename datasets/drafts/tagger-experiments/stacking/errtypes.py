import sys, collections
rows=[l.rstrip('\n').split('\t') for l in open(sys.argv[1])][1:]
c=collections.Counter(); bycol=collections.defaultdict(collections.Counter)
for r in rows:
    lab=set(r[1].split(',')) - {'NONE'}; tag=set(r[2].split(','))-{'NONE'}
    if lab==tag: k='right'
    elif not lab: k='NONE labelled, tagged pattern'
    elif not tag: k='pattern labelled, tagged NONE'
    elif lab<tag: k='extra pattern'
    elif tag<lab: k='missing pattern'
    else: k='other pattern'
    c[k]+=1; bycol[r[0].split(':')[0]][k]+=1
    if k!='right' and lab and tag: c[('pair', ','.join(sorted(lab)), ','.join(sorted(tag)))]+=1
for k,v in c.most_common(): print(v,k)
for col,cc in bycol.items(): print(col, dict(cc))
